#include "storage/run_queries.hpp"

#include <fmt/format.h>

namespace ferlab::storage {
namespace {

const char* run_select = R"sql(
  SELECT r.id, e.name, r.variant, r.seed, r.status, r.started, coalesce(r.ended, ''),
         coalesce((SELECT value FROM metrics WHERE run_id = r.id AND split = 'val'
                     AND tta = 'none' AND checkpoint = 'best' AND name = 'accuracy'
                     AND class = -1),
                  (SELECT max(accuracy) FROM epochs WHERE run_id = r.id AND split = 'val')),
         (SELECT value FROM metrics WHERE run_id = r.id AND split = 'test' AND tta = 'none'
            AND checkpoint = 'best' AND name = 'accuracy' AND class = -1),
         (julianday(r.ended) - julianday(r.started)) * 86400.0, coalesce(r.error, ''),
         coalesce((SELECT sum(seconds) FROM epochs WHERE run_id = r.id AND split = 'train'), 0),
         r.fold, coalesce(r.host, '')
  FROM runs r JOIN experiments e ON e.id = r.experiment_id)sql";

std::optional<double> optional_real(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return s.real(column);
}

RunRow read_row(Database& db, const Statement& s) {
  RunRow row;
  row.id = s.integer(0);
  row.experiment = s.text(1);
  row.variant = s.text(2);
  row.seed = s.integer(3);
  row.status = s.text(4);
  row.started = s.text(5);
  row.ended = s.text(6);
  row.best_val_accuracy = optional_real(s, 7);
  row.test_accuracy = optional_real(s, 8);
  row.seconds = optional_real(s, 9);
  row.error = s.text(10);
  row.train_seconds = s.real(11);
  if (!s.is_null(12)) row.fold = s.text(12);
  row.host = s.text(13);
  Statement test(db, R"sql(SELECT checkpoint, tta, value FROM metrics WHERE run_id = ?
                           AND split = 'test' AND name = 'accuracy' AND class = -1)sql");
  test.bind(1, row.id);
  while (test.step()) row.test_accuracy_by[{test.text(0), test.text(1)}] = test.real(2);
  return row;
}

}  // namespace

std::vector<RunRow> list_runs(Database& db, const std::optional<std::string>& experiment) {
  Statement s(db,
              std::string(run_select) + (experiment ? " WHERE e.name = ?" : "") + " ORDER BY r.id");
  if (experiment) s.bind(1, *experiment);
  std::vector<RunRow> rows;
  while (s.step()) rows.push_back(read_row(db, s));
  return rows;
}

RunDetails run_details(Database& db, std::int64_t run) {
  RunDetails d;
  {
    Statement s(db, std::string(run_select) + " WHERE r.id = ?");
    s.bind(1, run);
    if (!s.step()) throw StorageError(fmt::format("{}: there is no run {}", db.path(), run));
    d.row = read_row(db, s);
  }
  {
    Statement s(db, R"sql(SELECT host, cpu, threads, spec_file, ferlab_version, git_revision,
                            onednn_version, opencv_version, coalesce(error, '')
                          FROM runs WHERE id = ?)sql");
    s.bind(1, run);
    s.step();
    const char* names[] = {"host",         "cpu",    "threads", "spec file", "ferlab",
                           "git revision", "oneDNN", "OpenCV",  "error"};
    for (int i = 0; i < 9; ++i)
      if (!s.text(i).empty()) d.fields.emplace_back(names[i], s.text(i));
  }
  {
    Statement s(db, "SELECT key, value FROM params WHERE run_id = ? ORDER BY rowid");
    s.bind(1, run);
    while (s.step()) d.params.emplace_back(s.text(0), s.text(1));
  }
  {
    Statement s(db, R"sql(SELECT split || '/' || tta || '/' || checkpoint || ' ' || name, value
                          FROM metrics WHERE run_id = ? AND class = -1
                          ORDER BY split, tta, checkpoint, name)sql");
    s.bind(1, run);
    while (s.step()) d.metrics.emplace_back(s.text(0), s.real(1));
  }
  {
    Statement s(db, "SELECT code || ': ' || message, count FROM events WHERE run_id = ?");
    s.bind(1, run);
    while (s.step()) d.events.emplace_back(s.text(0), s.integer(1));
  }
  return d;
}

}  // namespace ferlab::storage

namespace ferlab::storage {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string metrics_csv(Database& db, const std::optional<std::string>& experiment) {
  Statement s(db, std::string(R"sql(
    SELECT r.id, e.name, r.variant, r.seed, r.status, m.split, m.tta, m.checkpoint, m.name,
           m.class, m.value
    FROM metrics m JOIN runs r ON r.id = m.run_id JOIN experiments e ON e.id = r.experiment_id)sql") +
                      (experiment ? " WHERE e.name = ?" : "") +
                      " ORDER BY r.id, m.split, m.tta, m.checkpoint, m.name, m.class");
  if (experiment) s.bind(1, *experiment);
  std::string out = "run,experiment,variant,seed,status,split,tta,checkpoint,metric,class,value\n";
  while (s.step()) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", s.integer(0), csv_field(s.text(1)),
                       csv_field(s.text(2)), s.integer(3), s.text(4), s.text(5), s.text(6),
                       s.text(7), csv_field(s.text(8)),
                       s.integer(9) < 0 ? std::string() : std::to_string(s.integer(9)), s.real(10));
  }
  return out;
}

}  // namespace ferlab::storage
