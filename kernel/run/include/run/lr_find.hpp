// The learning-rate range test (Smith 2017, fastai's lr_find): the first run of a spec trained
// from its initial weights for a few hundred steps with a learning rate growing exponentially
// from `start` to `end`, its loss recorded at each step, stopped early once the loss has
// clearly diverged. The suggestion is the rate where the smoothed loss falls fastest.
#pragma once

#include <string>
#include <vector>

#include "loader/plugin_catalog.hpp"
#include "spec/spec_loader.hpp"

namespace ferlab::run {

struct LrFindOptions {
  int steps = 200;
  double start = 1e-7, end = 10;
  int threads = 0;    // 0 = one per core
  std::string cache;  // an image cache folder (as `run --cache DIR`); empty or "off": none
};

struct LrFindResult {
  std::vector<double> rates, losses;  // per step
  std::vector<double> smoothed;       // centred moving average over 1/10 of the steps
  double steepest = 0;  // the rate where the smoothed loss falls fastest (per log rate)
  double minimum = 0;   // the rate of the lowest smoothed loss
  std::string stopped;  // why the test ended before `steps`, if it did
};

LrFindResult find_learning_rate(const spec::LoadedSpec& spec, const kernel::PluginCatalog& catalog,
                                const LrFindOptions& options);

// The suggestion from a loss curve alone: the smoothed curve, the rate of steepest descent among
// the steps before its minimum (the first tenth skipped as noise), and the rate of the minimum.
void analyse_lr_curve(LrFindResult& result);

}  // namespace ferlab::run
