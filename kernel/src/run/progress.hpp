// Progress of long steps on stderr: a live bar on a terminal, one line per epoch otherwise.
#pragma once

#include "engine/trainer.hpp"

#include <chrono>
#include <string>

namespace ferlab::run {

class Progress {
 public:
  Progress(std::string what, int epochs);
  // Within an epoch: batches done out of total, current loss, images per second.
  void batch(int epoch, int done, int total, double loss, double images_per_second);
  void epoch(const engine::EpochStats& stats);

 private:
  std::string what_;
  int epochs_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace ferlab::run
