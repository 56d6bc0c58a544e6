// Per-variant aggregation over seeds and folds: what the report and `ferlab runs` compare.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite.hpp"

namespace ferlab::storage {

struct MetricSummary {
  std::string name;
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1); 0 for a single run
  int n = 0;
};

struct VariantAggregate {
  std::string experiment, variant;     // variant: without its fold (see variant_over_folds)
  int runs = 0;                        // finished runs: seeds x folds
  std::vector<MetricSummary> metrics;  // whole-split metrics, by name
  std::vector<std::vector<std::int64_t>> confusion;  // pooled: summed over the runs
  // Validation accuracy of the checkpoint each run selected (as in `ferlab runs`).
  MetricSummary best_val_accuracy{"best_val_accuracy"};
};

// The finished runs of each variant (of one experiment when given), for one evaluation.
// The runs of one variant differ in seed and fold: a sweep over the fold makes it part of the
// variant label, which is taken out again here.
std::vector<VariantAggregate> aggregate_variants(Database& db,
                                                 const std::optional<std::string>& experiment,
                                                 const std::string& split = "test",
                                                 const std::string& tta = "none",
                                                 const std::string& checkpoint = "best");

// The variant label without the run's fold: "backbone=vgg,fold=3/10" with fold "3/10" ->
// "backbone=vgg". Unchanged when the label does not name the fold.
std::string variant_over_folds(const std::string& variant, const std::optional<std::string>& fold);

}  // namespace ferlab::storage
