// Everything a report shows, read from the run database in one go.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "storage/lr_find_records.hpp"
#include "storage/run_queries.hpp"
#include "storage/run_store.hpp"
#include "storage/sqlite.hpp"

namespace ferlab::report {

// Which evaluation a figure belongs to.
struct EvalKey {
  std::string split, tta, checkpoint;
  auto operator<=>(const EvalKey&) const = default;
};

struct EpochPoint {
  int epoch = 0;
  std::string split;  // train | val
  double loss = 0, accuracy = 0, macro_f1 = 0, lr = 0, seconds = 0, images_per_second = 0;
};

using storage::Artifact;
using storage::Prediction;  // sample: a stable id, the same sample has the same id in every run

using Matrix = std::vector<std::vector<std::int64_t>>;  // [true][predicted]

struct RunData {
  storage::RunRow row;
  std::string host, cpu, spec_file, spec_text, ferlab_version, git_revision, onednn_version,
      opencv_version;
  std::int64_t threads = 0;
  std::vector<std::pair<std::string, std::string>> params;   // resolved spec, flattened
  std::vector<std::pair<std::string, std::string>> plugins;  // "kind name" -> version
  std::vector<std::string> classes;
  std::vector<EpochPoint> epochs;
  // (split/tta/checkpoint, metric name, class or -1) -> value
  std::map<std::tuple<EvalKey, std::string, int>, double> metrics;
  std::map<EvalKey, Matrix> confusion;
  std::map<EvalKey, std::vector<Prediction>> predictions;    // sorted by sample id
  std::vector<Artifact> artifacts;                           // with their data
  std::vector<std::pair<std::string, std::int64_t>> events;  // "code: message" -> count

  std::optional<double> metric(const EvalKey& key, const std::string& name, int cls = -1) const;
};

struct ReportData {
  std::string title;  // the experiment(s)
  std::vector<RunData> runs;
  // The learning-rate range tests recorded for the report's experiments, each experiment's
  // newest first.
  std::vector<storage::LrFindRecord> lr_finds;
};

// The runs of one experiment, the runs with the given ids, or (neither given) every run.
// Throws storage::StorageError naming the database for an unknown experiment or run id.
ReportData load_report_data(storage::Database& db, const std::optional<std::string>& experiment,
                            const std::vector<std::int64_t>& run_ids);

}  // namespace ferlab::report
