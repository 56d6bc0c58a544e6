// Keeps a running run's heartbeat fresh between epochs (a long epoch must not look like a
// dead process): a write at most once a minute, called from every training step.
#pragma once

#include <chrono>
#include <cstdint>

#include "storage/run_store.hpp"

namespace ferlab::run {

class Heartbeat {
 public:
  Heartbeat(storage::RunStore& store, std::int64_t run) : store_(store), run_(run) {}
  void maybe_beat() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::minutes(1)) return;
    store_.heartbeat(run_);
    last_ = now;
  }

 private:
  storage::RunStore& store_;
  std::int64_t run_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace ferlab::run
