// Writing runs to the database: one row per run, its epochs committed whole, its final metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/run_status.hpp"
#include "storage/sqlite.hpp"

namespace ferlab::storage {

struct PluginVersion {
  std::string kind, name, version;
};

// Everything known about a run when it starts.
struct RunInfo {
  std::string experiment, variant;
  std::int64_t seed = 0;
  std::optional<std::string> fold;  // "3/10" in k-fold cross-validation; none otherwise
  std::string spec_file, spec_text, resolved_spec;
  std::string host, cpu;
  int threads = 0;
  std::int64_t pid = 0;  // with host: tells a dead run from a slow one
  std::string ferlab_version, git_revision, onednn_version, opencv_version;
  std::vector<PluginVersion> plugins;
  std::vector<std::pair<std::string, std::string>> params;  // the resolved spec, flattened
};

// Adds the run's parameters (the resolved spec, flattened); inside the caller's transaction.
void insert_params(Database& db, std::int64_t run,
                   const std::vector<std::pair<std::string, std::string>>& params);

struct EpochRow {
  int epoch = 0;
  std::string split;  // "train" or "val"
  double loss = 0, accuracy = 0, macro_f1 = 0, lr = 0, seconds = 0, images_per_second = 0;
};

struct ClassMetric {
  std::string name;  // precision | recall | f1 | support
  int class_index = 0;
  double value = 0;
};

// Final figures of one evaluation: which split, test-time augmentation and checkpoint.
struct Evaluation {
  std::string split, tta = "none", checkpoint = "best";
  std::vector<std::pair<std::string, double>> metrics;  // name -> value (whole split)
  std::vector<ClassMetric> per_class;
  std::vector<std::vector<std::int64_t>> confusion;  // [true][predicted]

  // The value of metric `name` ("accuracy", "macro_f1", ...); throws std::out_of_range naming
  // it when the evaluation has none.
  double metric(const std::string& name) const;
};

// One sample's outcome: what paired significance tests (McNemar, bootstrap) need.
struct Prediction {
  std::string sample;  // stable id: file path or CSV row
  int true_class = 0, predicted_class = 0;
  std::vector<float> probabilities;  // one per class, in class order
};

struct PredictionSet {
  std::string split, tta = "none", checkpoint = "best";
  std::vector<Prediction> rows;
};

// A file or image a run produced: a checkpoint (path, sha256, bytes, epoch, best_by) or an
// image kept in the database (mime, data, caption).
struct Artifact {
  std::string kind, name;  // kind: checkpoint | preview | misclassified | gradcam | ...
  std::optional<std::string> path, sha256, best_by, mime, caption;
  std::optional<std::int64_t> bytes, epoch;
  std::optional<std::string> data;
};

class RunStore {
 public:
  // Opens or creates the database and migrates it. Throws StorageError, naming the file, when
  // it cannot be opened or written — before any training starts.
  explicit RunStore(const std::string& path);

  std::int64_t begin_run(const RunInfo& info, const std::vector<std::string>& classes);
  // begin_run, unless a run of the same experiment, variant and seed is already finished or
  // running (0 then): in one write transaction, so that of several processes working through
  // one spec on this database (`ferlab run --resume` in each) exactly one takes each run.
  std::int64_t claim_run(const RunInfo& info, const std::vector<std::string>& classes);
  void record_epoch(std::int64_t run, const std::vector<EpochRow>& rows);  // one transaction
  void record_evaluation(std::int64_t run, const Evaluation& evaluation);
  void record_predictions(std::int64_t run, const PredictionSet& predictions);  // one transaction
  // Replaces the run's artifact of the same kind and name (the last checkpoint, every epoch).
  void record_artifact(std::int64_t run, const Artifact& artifact);
  void record_event(std::int64_t run, const std::string& code, const std::string& message,
                    std::int64_t count);
  void heartbeat(std::int64_t run);
  // status: finished, failed or interrupted
  void finish_run(std::int64_t run, RunStatus status, const std::string& error = "");

  Database& database() { return db_; }

 private:
  std::int64_t begin(const RunInfo& info, const std::vector<std::string>& classes,
                     bool unless_taken);
  Database db_;
};

}  // namespace ferlab::storage
