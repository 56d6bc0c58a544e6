#include "storage/trial_runs.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ferlab::storage {

std::vector<TrialRun> trial_runs(Database& db, const std::string& experiment) {
  Statement runs(db, R"sql(
    SELECT r.id, CAST(p.value AS INTEGER), r.seed, r.status, coalesce(r.resolved_spec, ''),
           coalesce(r.error, ''),
           coalesce((SELECT value FROM params WHERE run_id = r.id AND key = 'train.select_on'), '')
    FROM runs r JOIN experiments e ON e.id = r.experiment_id
         JOIN params p ON p.run_id = r.id AND p.key = 'search.trial'
    WHERE e.name = ? AND r.id = (
      SELECT max(r2.id) FROM runs r2 JOIN params p2 ON p2.run_id = r2.id AND p2.key = 'search.trial'
      WHERE r2.experiment_id = r.experiment_id AND r2.seed = r.seed AND p2.value = p.value)
    ORDER BY CAST(p.value AS INTEGER), r.seed)sql");
  runs.bind(1, experiment);
  std::vector<TrialRun> out;
  while (runs.step()) {
    TrialRun t;
    t.run = runs.integer(0);
    t.trial = static_cast<int>(runs.integer(1));
    t.seed = runs.integer(2);
    const auto status = parse_status(runs.text(3));
    if (!status)
      throw StorageError(fmt::format("{}: run {} has status '{}', which this ferlab does not know",
                                     db.path(), t.run, runs.text(3)));
    t.status = *status;
    t.resolved_spec = runs.text(4);
    t.error = runs.text(5);
    t.select_on = runs.text(6);
    out.push_back(std::move(t));
  }
  Statement epochs(db, R"sql(SELECT epoch, loss, accuracy, macro_f1 FROM epochs
                             WHERE run_id = ? AND split = 'val' ORDER BY epoch)sql");
  // A figure never recorded (NULL) is NaN: it ranks below every number.
  const auto real = [&epochs](int column) {
    return epochs.is_null(column) ? std::nan("") : epochs.real(column);
  };
  for (TrialRun& t : out) {
    epochs.bind(1, t.run);
    while (epochs.step())
      t.val.push_back({static_cast<int>(epochs.integer(0)), real(1), real(2), real(3)});
    epochs.reset();
  }
  return out;
}

std::optional<std::string> latest_search_experiment(Database& db) {
  Statement s(db, R"sql(
    SELECT e.name FROM runs r JOIN experiments e ON e.id = r.experiment_id
    WHERE EXISTS (SELECT 1 FROM params WHERE run_id = r.id AND key = 'search.trial')
    ORDER BY r.id DESC LIMIT 1)sql");
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

}  // namespace ferlab::storage
