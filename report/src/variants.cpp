#include "report/variants.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "metrics/metrics.hpp"
#include "storage/aggregate.hpp"
#include "storage/run_status.hpp"

namespace ferlab::report {
namespace {

constexpr int bootstrap_resamples = 1000;
constexpr std::uint64_t bootstrap_seed = 20240601;

std::vector<double> values_of(const std::vector<const RunData*>& runs,
                              const std::function<std::optional<double>(const RunData&)>& get) {
  std::vector<double> out;
  for (const RunData* run : runs)
    if (auto v = get(*run)) out.push_back(*v);
  return out;
}

// Training images per second of a run: the mean over its epochs.
std::optional<double> images_per_second(const RunData& run) {
  double sum = 0;
  int n = 0;
  for (const EpochPoint& e : run.epochs)
    if (e.split == "train") sum += e.images_per_second, ++n;
  if (n == 0) return std::nullopt;
  return sum / n;
}

// Bootstrap intervals of the three metrics, each the mean over runs on the same drawn samples.
void add_intervals(const Variant& variant, const std::string& tta, VariantFigures& f) {
  auto aligned = aligned_predictions(variant.replicates, test_key(tta));
  if (aligned.empty() || aligned.front().empty()) return;
  int classes = static_cast<int>(variant.replicates.front()->classes.size());
  int n = static_cast<int>(aligned.front().size());
  auto statistic = [&](double PairMetrics::*member) {
    return [&, member](const std::vector<int>& drawn) {
      double sum = 0;
      std::vector<int> truth(drawn.size()), predicted(drawn.size());
      for (const auto& run : aligned) {
        for (size_t i = 0; i < drawn.size(); ++i) {
          truth[i] = run[drawn[i]]->true_class;
          predicted[i] = run[drawn[i]]->predicted_class;
        }
        sum += pair_metrics(truth, predicted, classes).*member;
      }
      return sum / static_cast<double>(aligned.size());
    };
  };
  f.accuracy.ci =
      bootstrap_interval(n, statistic(&PairMetrics::accuracy), bootstrap_resamples, bootstrap_seed);
  f.macro_f1.ci =
      bootstrap_interval(n, statistic(&PairMetrics::macro_f1), bootstrap_resamples, bootstrap_seed);
  f.balanced_accuracy.ci = bootstrap_interval(n, statistic(&PairMetrics::balanced_accuracy),
                                              bootstrap_resamples, bootstrap_seed);
}

// One stand-in per seed of a k-fold variant: the seed's finished folds with their predictions
// (every evaluation) concatenated and sorted by sample, as one run over the whole dataset.
void pool_folds(Variant& v) {
  v.pooled = std::make_shared<std::vector<RunData>>();
  std::map<std::int64_t, std::vector<const RunData*>> by_seed;
  for (const RunData* run : v.finished) by_seed[run->row.seed].push_back(run);
  for (const auto& [seed, folds] : by_seed) {
    RunData pooled;
    pooled.row = folds.front()->row;
    pooled.row.fold.reset();
    pooled.classes = folds.front()->classes;
    for (const RunData* fold : folds)
      for (const auto& [key, rows] : fold->predictions) {
        auto& all = pooled.predictions[key];
        all.insert(all.end(), rows.begin(), rows.end());
      }
    for (auto& [key, rows] : pooled.predictions)
      std::sort(rows.begin(), rows.end(),
                [](const Prediction& a, const Prediction& b) { return a.sample < b.sample; });
    v.pooled->push_back(std::move(pooled));
  }
  for (const RunData& pooled : *v.pooled) v.replicates.push_back(&pooled);
}

}  // namespace

std::vector<Variant> group_variants(const ReportData& data) {
  std::vector<Variant> out;
  std::map<std::string, std::set<std::string>> folds;  // label -> its folds
  for (const RunData& run : data.runs) {
    std::string label = storage::variant_over_folds(run.row.variant, run.row.fold);
    if (label.empty()) label = run.row.experiment;
    auto found =
        std::find_if(out.begin(), out.end(), [&](const Variant& v) { return v.label == label; });
    if (found == out.end()) found = out.insert(out.end(), Variant{label, {}, {}, {}, 0, nullptr});
    found->runs.push_back(&run);
    if (storage::parse_status(run.row.status) == storage::RunStatus::finished)
      found->finished.push_back(&run);
    if (run.row.fold) folds[label].insert(*run.row.fold);
  }
  for (Variant& v : out) {
    v.folds = static_cast<int>(folds[v.label].size());
    if (v.folds > 0)
      pool_folds(v);
    else
      v.replicates = v.finished;
  }
  return out;
}

EvalKey test_key(const std::string& tta) { return {"test", tta, "best"}; }
EvalKey val_key() { return {"val", "none", "best"}; }

std::optional<double> balanced_accuracy(const Matrix& confusion) {
  double sum = 0;
  int classes = 0;
  for (size_t t = 0; t < confusion.size(); ++t) {
    std::int64_t support = 0;
    for (std::int64_t c : confusion[t]) support += c;
    if (support == 0) continue;  // a class without samples has no recall
    sum += static_cast<double>(confusion[t][t]) / static_cast<double>(support);
    ++classes;
  }
  if (classes == 0) return std::nullopt;
  return sum / classes;
}

PairMetrics pair_metrics(const std::vector<int>& truth, const std::vector<int>& predicted,
                         int classes) {
  metrics::Confusion confusion(classes);
  Matrix matrix(classes, std::vector<std::int64_t>(classes, 0));
  for (size_t i = 0; i < truth.size(); ++i) {
    confusion.add(truth[i], predicted[i]);
    ++matrix[truth[i]][predicted[i]];
  }
  return {confusion.accuracy(), confusion.macro_f1(), balanced_accuracy(matrix).value_or(0)};
}

std::vector<std::vector<const Prediction*>> aligned_predictions(
    const std::vector<const RunData*>& runs, const EvalKey& key) {
  std::map<std::string, int> shared;  // sample -> how many runs have it
  for (const RunData* run : runs) {
    auto found = run->predictions.find(key);
    if (found == run->predictions.end()) return {};
    for (const Prediction& p : found->second) ++shared[p.sample];
  }
  std::vector<std::vector<const Prediction*>> out;
  for (const RunData* run : runs) {
    std::vector<const Prediction*> aligned;
    for (const Prediction& p : run->predictions.at(key))  // sorted by sample id
      if (shared[p.sample] == static_cast<int>(runs.size())) aligned.push_back(&p);
    out.push_back(std::move(aligned));
  }
  return out;
}

VariantFigures variant_figures(const Variant& variant, const std::string& tta) {
  VariantFigures f;
  const auto& runs = variant.finished;
  EvalKey test = test_key(tta);
  f.accuracy.spread =
      mean_std(values_of(runs, [&](const RunData& r) { return r.metric(test, "accuracy"); }));
  f.macro_f1.spread =
      mean_std(values_of(runs, [&](const RunData& r) { return r.metric(test, "macro_f1"); }));
  f.balanced_accuracy.spread = mean_std(values_of(runs, [&](const RunData& r) {
    if (auto stored = r.metric(test, "balanced_accuracy")) return stored;
    auto confusion = r.confusion.find(test);
    return confusion == r.confusion.end() ? std::nullopt : balanced_accuracy(confusion->second);
  }));
  f.best_val_accuracy =
      mean_std(values_of(runs, [](const RunData& r) { return r.row.best_val_accuracy; }));
  f.train_seconds = mean_std(values_of(runs, [](const RunData& r) { return r.row.seconds; }));
  f.images_per_second = mean_std(values_of(runs, images_per_second));
  if (!runs.empty()) {
    f.parameters = runs.front()->metric({"model", "none", "best"}, "parameters");
    f.macs = runs.front()->metric({"model", "none", "best"}, "macs");
  }
  add_intervals(variant, tta, f);
  return f;
}

}  // namespace ferlab::report

namespace ferlab::report {

const Variant* best_variant(const std::vector<Variant>& variants) {
  const Variant* best = nullptr;
  double best_value = -1;
  for (const Variant& v : variants) {
    if (v.finished.empty()) continue;
    double value = variant_figures(v, "none").best_val_accuracy.mean;
    if (!best || value > best_value) best = &v, best_value = value;
  }
  return best;
}

}  // namespace ferlab::report
