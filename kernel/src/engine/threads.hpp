// How many threads oneDNN computes with. Debian's oneDNN runs on OpenMP (libgomp), which the
// kernel does not link itself, so the runtime's functions are looked up where oneDNN loaded it.
#pragma once

namespace ferlab::engine {

// Sets the thread count for later primitives; false when no OpenMP runtime is loaded.
bool set_threads(int count);
// The current thread count (1 without an OpenMP runtime).
int max_threads();

}  // namespace ferlab::engine
