// How many threads oneDNN computes with. Debian's oneDNN runs on OpenMP (libgomp).
#pragma once

namespace ferlab::engine {

// Sets the thread count for later primitives; false for a count below 1.
bool set_threads(int count);
// The current thread count.
int max_threads();

}  // namespace ferlab::engine
