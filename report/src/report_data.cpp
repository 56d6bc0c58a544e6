#include "report/report_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "storage/class_index.hpp"
#include "storage/run_outputs.hpp"

namespace ferlab::report {
namespace {

using storage::Database;
using storage::Statement;

bool has_table(Database& db, const std::string& name) {
  Statement s(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.bind(1, name);
  return s.step();
}

void load_environment(Database& db, RunData& run) {
  Statement s(db, R"sql(SELECT coalesce(host, ''), coalesce(cpu, ''), coalesce(threads, 0),
                          coalesce(spec_file, ''), coalesce(spec_text, ''),
                          coalesce(ferlab_version, ''), coalesce(git_revision, ''),
                          coalesce(onednn_version, ''), coalesce(opencv_version, '')
                        FROM runs WHERE id = ?)sql");
  s.bind(1, run.row.id);
  s.step();
  run.host = s.text(0);
  run.cpu = s.text(1);
  run.threads = s.integer(2);
  run.spec_file = s.text(3);
  run.spec_text = s.text(4);
  run.ferlab_version = s.text(5);
  run.git_revision = s.text(6);
  run.onednn_version = s.text(7);
  run.opencv_version = s.text(8);
}

void load_lists(Database& db, RunData& run) {
  {
    Statement s(db, "SELECT key, value FROM params WHERE run_id = ? ORDER BY rowid");
    s.bind(1, run.row.id);
    while (s.step()) run.params.emplace_back(s.text(0), s.text(1));
  }
  {
    Statement s(db, "SELECT kind || ' ' || name, version FROM run_plugins WHERE run_id = ?");
    s.bind(1, run.row.id);
    while (s.step()) run.plugins.emplace_back(s.text(0), s.text(1));
  }
  {
    Statement s(db, "SELECT name FROM classes WHERE run_id = ? ORDER BY idx");
    s.bind(1, run.row.id);
    while (s.step()) run.classes.push_back(s.text(0));
  }
  {
    Statement s(db, "SELECT code || ': ' || message, count FROM events WHERE run_id = ?");
    s.bind(1, run.row.id);
    while (s.step()) run.events.emplace_back(s.text(0), s.integer(1));
  }
}

void load_figures(Database& db, RunData& run) {
  {
    Statement s(db, R"sql(SELECT epoch, split, loss, accuracy, macro_f1, lr, seconds,
                            images_per_second FROM epochs WHERE run_id = ? ORDER BY epoch, split)sql");
    s.bind(1, run.row.id);
    while (s.step())
      run.epochs.push_back({static_cast<int>(s.integer(0)), s.text(1), s.real(2), s.real(3),
                            s.real(4), s.real(5), s.real(6), s.real(7)});
  }
  {
    Statement s(db, R"sql(SELECT split, tta, checkpoint, name, class, value FROM metrics
                          WHERE run_id = ?)sql");
    s.bind(1, run.row.id);
    while (s.step())
      run.metrics[{EvalKey{s.text(0), s.text(1), s.text(2)}, s.text(3),
                   static_cast<int>(s.integer(4))}] = s.real(5);
  }
  {
    Statement s(db, R"sql(SELECT split, tta, checkpoint, true_class, predicted_class, count
                          FROM confusion WHERE run_id = ?)sql");
    s.bind(1, run.row.id);
    size_t n = run.classes.size();
    while (s.step()) {
      Matrix& m = run.confusion[{s.text(0), s.text(1), s.text(2)}];
      size_t t = storage::class_index(db, run.row.id, s.integer(3), n),
             p = storage::class_index(db, run.row.id, s.integer(4), n);
      size_t needed = std::max({n, t + 1, p + 1});
      if (m.size() < needed) m.resize(needed);
      for (auto& row : m) row.resize(needed, 0);
      m[t][p] = s.integer(5);
    }
  }
}

// Schema 2 added predictions and artifacts; older databases are read without them.
void load_outputs(Database& db, RunData& run) {
  for (storage::PredictionSet& set : storage::run_predictions(db, run.row.id))
    run.predictions[{set.split, set.tta, set.checkpoint}] = std::move(set.rows);
  run.artifacts = storage::run_artifacts(db, run.row.id, true);
}

}  // namespace

std::optional<double> RunData::metric(const EvalKey& key, const std::string& name, int cls) const {
  auto found = metrics.find({key, name, cls});
  if (found == metrics.end()) return std::nullopt;
  return found->second;
}

ReportData load_report_data(Database& db, const std::optional<std::string>& experiment,
                            const std::vector<std::int64_t>& run_ids) {
  std::vector<storage::RunRow> rows = storage::list_runs(db, experiment);
  if (experiment && rows.empty())
    throw storage::StorageError(
        fmt::format("{}: there is no experiment '{}' (see ferlab runs)", db.path(), *experiment));
  if (!run_ids.empty()) {
    std::vector<storage::RunRow> chosen;
    for (std::int64_t id : run_ids) {
      auto found = std::find_if(rows.begin(), rows.end(), [id](auto& r) { return r.id == id; });
      if (found == rows.end())
        throw storage::StorageError(fmt::format("{}: there is no run {}", db.path(), id));
      chosen.push_back(*found);
    }
    rows = chosen;
  }
  if (rows.empty()) throw storage::StorageError(db.path() + ": the database holds no runs");
  bool outputs = has_table(db, "predictions") && has_table(db, "artifacts");
  ReportData data;
  std::set<std::string> experiments;
  for (const storage::RunRow& row : rows) {
    RunData run;
    run.row = row;
    load_environment(db, run);
    load_lists(db, run);
    load_figures(db, run);
    if (outputs) load_outputs(db, run);
    if (experiments.insert(row.experiment).second)
      data.title += (data.title.empty() ? "" : ", ") + row.experiment;
    data.runs.push_back(std::move(run));
  }
  for (const std::string& name : experiments)
    for (storage::LrFindRecord& t : storage::lr_finds(db, name))
      data.lr_finds.push_back(std::move(t));
  return data;
}

}  // namespace ferlab::report
