// How many threads oneDNN computes with. Debian's oneDNN runs on OpenMP (libgomp).
#pragma once

namespace ferlab::engine {

// Sets the thread count for later primitives; false for a count below 1.
bool set_threads(int count);
// The current thread count.
int max_threads();

// Runs the enclosing scope on one thread when `single`, restoring the count afterwards.
// For layers too small to repay waking other threads (Network::single_thread_work).
class SingleThreadScope {
 public:
  explicit SingleThreadScope(bool single) : saved_(single ? max_threads() : 0) {
    if (single) set_threads(1);
  }
  ~SingleThreadScope() {
    if (saved_ > 0) set_threads(saved_);
  }
  SingleThreadScope(const SingleThreadScope&) = delete;
  SingleThreadScope& operator=(const SingleThreadScope&) = delete;

 private:
  int saved_;
};

}  // namespace ferlab::engine
