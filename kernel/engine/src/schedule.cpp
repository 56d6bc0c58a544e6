#include "engine/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace ferlab::engine {

using options::Schedule;

LrSchedule::LrSchedule(const ScheduleOptions& options, double base_lr, int epochs)
    : options_(options), base_lr_(base_lr), epochs_(epochs) {}

double LrSchedule::lr(int epoch) const {
  const auto& o = options_;
  if (epoch < o.warmup_epochs)
    return base_lr_ / 10 + (base_lr_ - base_lr_ / 10) * epoch / o.warmup_epochs;
  if (o.name == Schedule::step)
    return base_lr_ * std::pow(o.gamma, epoch / std::max(1, o.step_size));
  if (o.name == Schedule::multistep) {
    const auto passed = std::count_if(o.milestones.begin(), o.milestones.end(),
                                      [&](std::int64_t m) { return epoch >= m; });
    return base_lr_ * std::pow(o.gamma, static_cast<double>(passed));
  }
  if (o.name == Schedule::cosine) {
    const int span = std::max(1, epochs_ - o.warmup_epochs);
    const double t = std::min(1.0, static_cast<double>(epoch - o.warmup_epochs) / span);
    return o.min_lr + (base_lr_ - o.min_lr) * (1 + std::cos(std::numbers::pi * t)) / 2;
  }
  if (o.name == Schedule::plateau) return std::max(o.min_lr, base_lr_ * plateau_scale_);
  return base_lr_;
}

void LrSchedule::observe(bool improved) {
  if (options_.name != Schedule::plateau) return;
  if (improved) {
    epochs_without_improvement_ = 0;
  } else if (++epochs_without_improvement_ >= options_.patience) {
    plateau_scale_ *= options_.factor;
    epochs_without_improvement_ = 0;
  }
}

}  // namespace ferlab::engine
