// Runs grouped by variant (the sweep point), and the per-variant figures a comparison shows.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "report/report_data.hpp"
#include "report/statistics.hpp"

namespace ferlab::report {

struct Variant {
  std::string label;
  std::vector<const RunData*> runs;      // every run of the variant, in id order
  std::vector<const RunData*> finished;  // those with status 'finished'
  // What paired statistics (intervals, significance) draw from: the finished runs, or, for a
  // k-fold variant, one stand-in per seed holding all its folds' predictions, so its samples
  // are the union of the test folds.
  std::vector<const RunData*> replicates;
  int folds = 0;                                 // distinct folds among its runs (0: no k-fold)
  std::shared_ptr<std::vector<RunData>> pooled;  // owns the k-fold stand-ins
};

// In order of first appearance; a run without a variant label goes under the experiment name.
// The folds of a k-fold run are one variant (its label without "fold=k/n").
std::vector<Variant> group_variants(const ReportData& data);

// The test-split evaluation of the best checkpoint with test-time augmentation `tta`.
EvalKey test_key(const std::string& tta = "none");
EvalKey val_key();

// Accuracy, macro-F1 and balanced accuracy of (true, predicted) pairs.
struct PairMetrics {
  double accuracy = 0, macro_f1 = 0, balanced_accuracy = 0;
};
PairMetrics pair_metrics(const std::vector<int>& truth, const std::vector<int>& predicted,
                         int classes);

// Balanced accuracy (mean recall over classes with samples) of a confusion matrix.
std::optional<double> balanced_accuracy(const Matrix& confusion);

// A metric over the finished runs of a variant: mean and spread over seeds/folds, and, when
// every run stored its test predictions, a 95% bootstrap interval over the test samples.
struct Figure {
  MeanStd spread;
  std::optional<Interval> ci;
};

struct VariantFigures {
  Figure accuracy, macro_f1, balanced_accuracy;
  MeanStd best_val_accuracy, train_seconds, images_per_second;
  std::optional<double> parameters, macs;
};

VariantFigures variant_figures(const Variant& variant, const std::string& tta);

// The predictions of `runs` for one evaluation, restricted to the samples all of them share and
// in the same sample order for each: what paired resampling draws from. Empty when a run has
// no stored predictions.
std::vector<std::vector<const Prediction*>> aligned_predictions(
    const std::vector<const RunData*>& runs, const EvalKey& key);

}  // namespace ferlab::report

namespace ferlab::report {

// The variant chosen for comparisons: highest mean validation accuracy of the selected
// checkpoints (the test split never chooses). Null when no variant has a finished run.
const Variant* best_variant(const std::vector<Variant>& variants);

}  // namespace ferlab::report
