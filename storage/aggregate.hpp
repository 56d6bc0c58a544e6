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
  std::string experiment, variant;
  int runs = 0;                                      // finished runs: seeds x folds
  std::vector<MetricSummary> metrics;                // whole-split metrics, by name
  std::vector<std::vector<std::int64_t>> confusion;  // pooled: summed over the runs
};

// The finished runs of each variant (of one experiment when given), for one evaluation.
std::vector<VariantAggregate> aggregate_variants(Database& db,
                                                 const std::optional<std::string>& experiment,
                                                 const std::string& split = "test",
                                                 const std::string& tta = "none",
                                                 const std::string& checkpoint = "best");

}  // namespace ferlab::storage
