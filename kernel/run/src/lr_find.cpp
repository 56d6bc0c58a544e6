#include "run/lr_find.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "assembly/network_setup.hpp"
#include "engine/trainer.hpp"
#include "graph/experiment_graph.hpp"
#include "run/data_flow.hpp"
#include "run/environment.hpp"

namespace ferlab::run {

void analyse_lr_curve(LrFindResult& r) {
  // A centred moving average: an exponential one would lag behind the rate and shift the
  // suggestion upwards (by 50 steps at beta 0.98).
  const std::size_t n = r.losses.size(), half = std::max<std::size_t>(1, n / 20);
  r.smoothed.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t from = i >= half ? i - half : 0, to = std::min(n - 1, i + half);
    double sum = 0;
    for (std::size_t j = from; j <= to; ++j) sum += r.losses[j];
    r.smoothed[i] = sum / static_cast<double>(to - from + 1);
  }
  if (n < 3) return;
  const auto lowest = std::min_element(r.smoothed.begin(), r.smoothed.end()) - r.smoothed.begin();
  r.minimum = r.rates[lowest];
  const std::size_t first = n / 10;
  double fastest = 0;
  r.steepest = r.rates[first];
  for (std::size_t i = first + 1; i <= static_cast<std::size_t>(lowest); ++i) {
    const double slope =
        (r.smoothed[i] - r.smoothed[i - 1]) / (std::log10(r.rates[i]) - std::log10(r.rates[i - 1]));
    if (slope < fastest) fastest = slope, r.steepest = r.rates[i];
  }
}

LrFindResult find_learning_rate(const spec::LoadedSpec& spec, const kernel::PluginCatalog& catalog,
                                const LrFindOptions& o) {
  if (o.steps < 10 || !(o.start > 0) || !(o.end > o.start))
    throw std::invalid_argument("lr-find: expected at least 10 steps and 0 < start < end");
  std::vector<spec::RunSpec> runs = {spec.runs.front()};
  runs[0].index = 0;
  const graph::ExperimentGraph graph = graph::ExperimentGraph::build(runs);
  DataFlow flow(runs, catalog, graph,
                DataCache(cache_location(o.cache.empty() ? "off" : o.cache, "")));
  const DataResult data = flow.train_input(0);
  if (!data.contents)
    throw std::runtime_error(data.error.empty() ? "no training data" : data.error);
  const DatasetContents& contents = *data.contents;
  const auto train = contents.splits.find("train");
  if (train == contents.splits.end() || train->second.empty())
    throw std::runtime_error("lr-find: the dataset has no train images");
  spec::RunSpec run = runs[0];
  const int classes = static_cast<int>(contents.classes.size());
  const long per_epoch =
      std::max<long>(1, static_cast<long>(train->second.size()) / run.train.batch);
  run.train.epochs = static_cast<int>(o.steps / per_epoch + 1);
  run.train.early_stopping_patience = 0;
  use_threads(o.threads);
  auto network =
      assembly::build_network(catalog, run, assembly::training_input_shape(contents), classes);
  assembly::initialize_network(*network, run);
  engine::Trainer trainer(*network, run.train, classes, static_cast<std::uint64_t>(run.seed));
  const auto rate = [&o](long step) {
    return o.start * std::pow(o.end / o.start, static_cast<double>(step) / (o.steps - 1));
  };
  trainer.set_step_lr(rate);
  LrFindResult result;
  bool stop = false;
  double best = INFINITY, average = 0;
  trainer.set_stop_request([&stop] { return stop; });
  auto on_step = [&](int, int, int, double loss) {
    if (stop) return;  // the step after the last (the trainer asks before each step's update)
    const long k = static_cast<long>(result.losses.size());
    result.rates.push_back(rate(k));
    result.losses.push_back(loss);
    average = 0.98 * average + 0.02 * loss;
    const double smoothed = average / (1 - std::pow(0.98, static_cast<double>(k + 1)));
    best = std::min(best, smoothed);
    if (k + 1 >= o.steps) stop = true;
    // fastai's rule: the loss has diverged once it is 4 times its lowest.
    if (k >= 10 && smoothed > 4 * best) {
      stop = true;
      result.stopped = fmt::format("the loss diverged at rate {:.3g}", rate(k));
    }
  };
  static const std::vector<Sample> no_val;
  try {
    trainer.fit(train->second, no_val, assembly::make_augment(catalog, run), {}, on_step);
  } catch (const engine::TrainingStopped&) {
  } catch (const std::runtime_error& e) {
    // A rate so high that the loss is no longer a number ends the test like a divergence.
    if (result.losses.size() < 10) throw;
    result.stopped = e.what();
  }
  analyse_lr_curve(result);
  return result;
}

}  // namespace ferlab::run
