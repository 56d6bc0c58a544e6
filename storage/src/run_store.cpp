#include "storage/run_store.hpp"

#include <stdexcept>

#include "storage/clock.hpp"
#include "storage/probability_blob.hpp"
#include "storage/schema.hpp"
#include "storage/stale_runs.hpp"

namespace ferlab::storage {

double Evaluation::metric(const std::string& name) const {
  for (const auto& [key, value] : metrics)
    if (key == name) return value;
  throw std::out_of_range("the " + split + " evaluation has no metric '" + name + "'");
}

void insert_params(Database& db, std::int64_t run,
                   const std::vector<std::pair<std::string, std::string>>& params) {
  Statement add_param(db, "INSERT INTO params VALUES (?, ?, ?)");
  for (const auto& [key, value] : params) add_param.bind(1, run).bind(2, key).bind(3, value).run();
}

RunStore::RunStore(const std::string& path) : db_(path, true) {
  migrate(db_);
  // Takes the write lock: a read-only database fails here, not after hours of training.
  mark_stale_runs(db_, host_name(), stale_after, process_alive);
}

std::int64_t RunStore::claim_run(const RunInfo& info, const std::vector<std::string>& classes) {
  return begin(info, classes, true);
}

std::int64_t RunStore::begin_run(const RunInfo& info, const std::vector<std::string>& classes) {
  return begin(info, classes, false);
}

std::int64_t RunStore::begin(const RunInfo& info, const std::vector<std::string>& classes,
                             bool unless_taken) {
  Transaction t(db_);
  if (unless_taken) {
    Statement taken(db_, R"sql(
      SELECT 1 FROM runs r JOIN experiments e ON e.id = r.experiment_id
      WHERE e.name = ? AND r.variant = ? AND r.seed = ? AND r.status IN ('running', 'finished'))sql");
    if (taken.bind(1, info.experiment).bind(2, info.variant).bind(3, info.seed).step()) return 0;
  }
  Statement add_experiment(db_, "INSERT OR IGNORE INTO experiments(name, created) VALUES (?, ?)");
  add_experiment.bind(1, info.experiment).bind(2, now_utc()).run();
  Statement add_run(db_, R"sql(
    INSERT INTO runs(experiment_id, variant, seed, status, started, heartbeat, host, cpu, threads,
                     spec_file, spec_text, resolved_spec, ferlab_version, git_revision,
                     onednn_version, opencv_version, pid, fold)
    VALUES ((SELECT id FROM experiments WHERE name = ?), ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?,
            ?, ?, ?, ?, ?, ?))sql");
  std::string now = now_utc();
  add_run.bind(1, info.experiment)
      .bind(2, info.variant)
      .bind(3, info.seed)
      .bind(4, now)
      .bind(5, now)
      .bind(6, info.host)
      .bind(7, info.cpu)
      .bind(8, std::int64_t{info.threads})
      .bind(9, info.spec_file)
      .bind(10, info.spec_text)
      .bind(11, info.resolved_spec)
      .bind(12, info.ferlab_version)
      .bind(13, info.git_revision)
      .bind(14, info.onednn_version)
      .bind(15, info.opencv_version)
      .bind(16, info.pid)
      .bind(17, info.fold)
      .run();
  std::int64_t run = db_.last_insert_id();
  Statement add_plugin(db_, "INSERT OR IGNORE INTO run_plugins VALUES (?, ?, ?, ?)");
  for (const PluginVersion& p : info.plugins)
    add_plugin.bind(1, run).bind(2, p.kind).bind(3, p.name).bind(4, p.version).run();
  insert_params(db_, run, info.params);
  Statement add_class(db_, "INSERT INTO classes VALUES (?, ?, ?)");
  for (size_t i = 0; i < classes.size(); ++i)
    add_class.bind(1, run).bind(2, static_cast<std::int64_t>(i)).bind(3, classes[i]).run();
  t.commit();
  return run;
}

void RunStore::record_epoch(std::int64_t run, const std::vector<EpochRow>& rows) {
  Transaction t(db_);
  Statement add(db_, "INSERT OR REPLACE INTO epochs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const EpochRow& r : rows)
    add.bind(1, run)
        .bind(2, std::int64_t{r.epoch})
        .bind(3, r.split)
        .bind(4, r.loss)
        .bind(5, r.accuracy)
        .bind(6, r.macro_f1)
        .bind(7, r.lr)
        .bind(8, r.seconds)
        .bind(9, r.images_per_second)
        .run();
  heartbeat(run);  // inside the epoch's transaction
  t.commit();
}

void RunStore::record_evaluation(std::int64_t run, const Evaluation& e) {
  Transaction t(db_);
  Statement add_metric(db_, "INSERT OR REPLACE INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?)");
  auto add = [&](const std::string& name, int class_index, double value) {
    add_metric.bind(1, run)
        .bind(2, e.split)
        .bind(3, e.tta)
        .bind(4, e.checkpoint)
        .bind(5, name)
        .bind(6, std::int64_t{class_index})
        .bind(7, value)
        .run();
  };
  for (const auto& [name, value] : e.metrics) add(name, -1, value);
  for (const ClassMetric& m : e.per_class) add(m.name, m.class_index, m.value);
  Statement add_cell(db_, "INSERT OR REPLACE INTO confusion VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (size_t truth = 0; truth < e.confusion.size(); ++truth)
    for (size_t predicted = 0; predicted < e.confusion[truth].size(); ++predicted)
      add_cell.bind(1, run)
          .bind(2, e.split)
          .bind(3, e.tta)
          .bind(4, e.checkpoint)
          .bind(5, static_cast<std::int64_t>(truth))
          .bind(6, static_cast<std::int64_t>(predicted))
          .bind(7, e.confusion[truth][predicted])
          .run();
  t.commit();
}

void RunStore::record_predictions(std::int64_t run, const PredictionSet& p) {
  Transaction t(db_);
  Statement add(db_, "INSERT OR REPLACE INTO predictions VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const Prediction& row : p.rows)
    add.bind(1, run)
        .bind(2, p.split)
        .bind(3, p.tta)
        .bind(4, p.checkpoint)
        .bind(5, row.sample)
        .bind(6, std::int64_t{row.true_class})
        .bind(7, std::int64_t{row.predicted_class})
        .bind_blob(8, encode_probabilities(row.probabilities))
        .run();
  t.commit();
}

void RunStore::record_artifact(std::int64_t run, const Artifact& a) {
  Statement add(db_, R"sql(
    INSERT INTO artifacts(run_id, kind, name, path, sha256, bytes, epoch, best_by, mime, data,
                          caption)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, kind, name) DO UPDATE SET
      path = excluded.path, sha256 = excluded.sha256, bytes = excluded.bytes,
      epoch = excluded.epoch, best_by = excluded.best_by, mime = excluded.mime,
      data = excluded.data, caption = excluded.caption)sql");
  add.bind(1, run).bind(2, a.kind).bind(3, a.name).bind(4, a.path).bind(5, a.sha256);
  a.bytes ? add.bind(6, *a.bytes) : add.bind_null(6);
  a.epoch ? add.bind(7, *a.epoch) : add.bind_null(7);
  add.bind(8, a.best_by).bind(9, a.mime);
  a.data ? add.bind_blob(10, *a.data) : add.bind_null(10);
  add.bind(11, a.caption).run();
}

void RunStore::record_event(std::int64_t run, const std::string& code, const std::string& message,
                            std::int64_t count) {
  Statement add(db_, "INSERT INTO events VALUES (?, ?, ?, ?)");
  add.bind(1, run).bind(2, code).bind(3, message).bind(4, count).run();
}

void RunStore::heartbeat(std::int64_t run) {
  Statement beat(db_, "UPDATE runs SET heartbeat = ? WHERE id = ?");
  beat.bind(1, now_utc()).bind(2, run).run();
}

void RunStore::finish_run(std::int64_t run, RunStatus status, const std::string& error) {
  Statement end(db_, "UPDATE runs SET status = ?, ended = ?, error = ? WHERE id = ?");
  std::optional<std::string> message;
  if (!error.empty()) message = error;
  end.bind(1, status_name(status)).bind(2, now_utc()).bind(3, message).bind(4, run).run();
}

}  // namespace ferlab::storage
