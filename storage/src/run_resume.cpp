#include "storage/run_resume.hpp"

#include <fmt/format.h>

#include "storage/clock.hpp"

namespace ferlab::storage {

std::optional<PreviousRun> latest_run(Database& db, const std::string& experiment,
                                      const std::string& variant, std::int64_t seed) {
  Statement find(db, R"sql(
    SELECT r.id, r.status, COALESCE(r.resolved_spec, ''), COALESCE(r.host, ''),
           COALESCE(r.pid, 0)
    FROM runs r JOIN experiments e ON e.id = r.experiment_id
    WHERE e.name = ? AND r.variant = ? AND r.seed = ?
    ORDER BY r.id DESC LIMIT 1)sql");
  find.bind(1, experiment).bind(2, variant).bind(3, seed);
  if (!find.step()) return std::nullopt;
  return PreviousRun{find.integer(0), find.text(1), find.text(2), find.text(3), find.integer(4)};
}

bool reopen_run(Database& db, std::int64_t run, int kept_epochs, const RunInfo& now) {
  Transaction t(db);
  Statement status(db, "SELECT status FROM runs WHERE id = ?");
  status.bind(1, run);
  if (!status.step()) throw StorageError(fmt::format("{}: there is no run {}", db.path(), run));
  // Finished or running since it was planned: another process working on the same spec took it.
  const auto now_status = parse_status(status.text(0));
  if (now_status == RunStatus::finished || now_status == RunStatus::running) return false;
  status.reset();
  Statement reopen(db, R"sql(
    UPDATE runs SET status = 'running', ended = NULL, error = NULL, heartbeat = ?, host = ?,
                    pid = ?, threads = ?
    WHERE id = ?)sql");
  reopen.bind(1, now_utc()).bind(2, now.host).bind(3, now.pid).bind(4, std::int64_t{now.threads});
  reopen.bind(5, run).run();
  // The spec it continues under: the same, or one that extends train.epochs.
  Statement spec(db,
                 "UPDATE runs SET spec_file = ?, spec_text = ?, resolved_spec = ? WHERE id = ?");
  spec.bind(1, now.spec_file).bind(2, now.spec_text).bind(3, now.resolved_spec).bind(4, run).run();
  Statement params(db, "DELETE FROM params WHERE run_id = ?");
  params.bind(1, run).run();
  insert_params(db, run, now.params);
  Statement later(db, "DELETE FROM epochs WHERE run_id = ? AND epoch > ?");
  later.bind(1, run).bind(2, std::int64_t{kept_epochs}).run();
  for (const char* table : {"metrics", "confusion", "predictions", "events"}) {
    Statement drop(db, fmt::format("DELETE FROM {} WHERE run_id = ?", table));
    drop.bind(1, run).run();
  }
  Statement images(db, "DELETE FROM artifacts WHERE run_id = ? AND kind != 'checkpoint'");
  images.bind(1, run).run();
  t.commit();
  return true;
}

}  // namespace ferlab::storage
