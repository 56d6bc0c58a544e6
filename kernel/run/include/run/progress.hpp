// Progress of long steps on stderr: a live bar on a terminal, one line per epoch otherwise.
#pragma once

#include <chrono>
#include <string>

#include "engine/trainer.hpp"

namespace ferlab::run {

class Progress {
 public:
  Progress(std::string what, int epochs);
  // Within an epoch: steps done out of total and the last step's loss. Redraws at most ten
  // times a second.
  void step(int epoch, int done, int total, double loss, int batch_size);
  void epoch(const engine::EpochStats& stats);

 private:
  std::string what_;
  int epochs_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, epoch_start_, last_draw_;
  int epoch_ = 0;
};

}  // namespace ferlab::run
