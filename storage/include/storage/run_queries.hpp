// Reading runs back for the command line (`ferlab runs`, `ferlab show`).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/sqlite.hpp"

namespace ferlab::storage {

struct RunRow {
  std::int64_t id = 0;
  std::string experiment, variant, status, started, ended, error;
  std::int64_t seed = 0;
  std::optional<std::string> fold;  // "3/10" in k-fold cross-validation
  std::string host;                 // where it ran (the last process that worked on it)
  // Of the checkpoint selected on val; while a run has no final metrics, the best epoch's.
  std::optional<double> best_val_accuracy;
  std::optional<double> test_accuracy;  // final, best checkpoint, no TTA
  std::optional<double> seconds;        // ended - started
  double train_seconds = 0;             // the training parts of its epochs, summed
  // Test accuracy of each evaluation: (checkpoint "best" | "last", TTA "none" | "ten-crop" ...).
  std::map<std::pair<std::string, std::string>, double> test_accuracy_by;
};

// Runs in id order, of one experiment when given.
std::vector<RunRow> list_runs(Database& db, const std::optional<std::string>& experiment);

struct RunDetails {
  RunRow row;
  std::vector<std::pair<std::string, std::string>> fields;  // host, cpu, versions, error, ...
  std::vector<std::pair<std::string, std::string>> params;
  // "split/tta/checkpoint name" -> value
  std::vector<std::pair<std::string, double>> metrics;
  std::vector<std::pair<std::string, std::int64_t>> events;  // "code: first message" -> count
};

// Throws StorageError naming the run when it does not exist.
RunDetails run_details(Database& db, std::int64_t run);

}  // namespace ferlab::storage

namespace ferlab::storage {

// Every final metric of the runs (of one experiment when given) as CSV with a header row:
// run, experiment, variant, seed, status, split, tta, checkpoint, metric, class, value.
// class is empty for whole-split metrics. Fields are quoted where CSV needs it.
std::string metrics_csv(Database& db, const std::optional<std::string>& experiment);

}  // namespace ferlab::storage
