// Learning rate per epoch: constant, step, multistep, cosine or reduce-on-plateau, each with an
// optional linear warm-up from lr/10.
#pragma once

#include "options/train_options.hpp"

namespace ferlab::engine {

using options::ScheduleOptions;  // what a spec chose (train.schedule)

class LrSchedule {
 public:
  // Throws std::invalid_argument for an unknown schedule name.
  LrSchedule(const ScheduleOptions& options, double base_lr, int epochs);
  // The rate for epoch (0-based).
  double lr(int epoch) const;
  // Reports whether the selection metric improved in the epoch just ended (plateau only).
  void observe(bool improved);

  // Reduce-on-plateau's progress, for checkpoints (constant for the other schedules).
  double plateau_scale() const { return plateau_scale_; }
  int plateau_wait() const { return epochs_without_improvement_; }
  void restore(double plateau_scale, int plateau_wait) {
    plateau_scale_ = plateau_scale;
    epochs_without_improvement_ = plateau_wait;
  }

 private:
  ScheduleOptions options_;
  double base_lr_;
  int epochs_;
  double plateau_scale_ = 1.0;
  int epochs_without_improvement_ = 0;
};

}  // namespace ferlab::engine
