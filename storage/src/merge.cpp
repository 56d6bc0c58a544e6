#include "storage/merge.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "storage/schema.hpp"

namespace ferlab::storage {
namespace {

namespace fs = std::filesystem;

// Every table holding rows of a run, with its columns other than run_id (and a row id).
const char* const run_tables[] = {"run_plugins", "params", "classes",     "epochs",   "metrics",
                                  "confusion",   "events", "predictions", "artifacts"};

std::string columns_except(Database& db, const std::string& table,
                           const std::vector<std::string>& left_out) {
  Statement s(db, "SELECT name FROM pragma_table_info(?)");
  s.bind(1, table);
  std::string list;
  while (s.step()) {
    std::string name = s.text(0);
    bool skip = false;
    for (const std::string& l : left_out) skip = skip || name == l;
    if (!skip) list += (list.empty() ? "" : ", ") + name;
  }
  return list;
}

fs::path directory_of(const std::string& db) {
  fs::path dir = fs::absolute(db).parent_path();
  return dir;
}

}  // namespace

namespace {

// The attached input's runs to copy, and the main database's runs they replace: a run is new
// (no run of the same experiment, variant, seed and fold), replaces an unfinished one when it
// finished, or is skipped.
struct MergePlan {
  std::vector<std::int64_t> copy, replace;
  int skipped = 0;
};

MergePlan plan_merge(Database& out) {
  Statement runs(out, R"sql(
    SELECT r.id, r.status = 'finished',
           (SELECT m.id FROM main.runs m JOIN main.experiments me ON me.id = m.experiment_id
            WHERE me.name = e.name AND m.variant = r.variant AND m.seed = r.seed
              AND m.fold IS r.fold ORDER BY m.status = 'finished' DESC, m.id LIMIT 1),
           (SELECT m.status = 'finished' FROM main.runs m
            JOIN main.experiments me ON me.id = m.experiment_id
            WHERE me.name = e.name AND m.variant = r.variant AND m.seed = r.seed
              AND m.fold IS r.fold ORDER BY m.status = 'finished' DESC, m.id LIMIT 1)
    FROM input.runs r JOIN input.experiments e ON e.id = r.experiment_id ORDER BY r.id)sql");
  MergePlan plan;
  while (runs.step()) {
    if (runs.is_null(2)) {
      plan.copy.push_back(runs.integer(0));
    } else if (runs.integer(1) && !runs.integer(3)) {
      plan.replace.push_back(runs.integer(2));
      plan.copy.push_back(runs.integer(0));
    } else {
      ++plan.skipped;
    }
  }
  return plan;
}

// Copies input run `id` with its rows into the main database; artifact paths relative to the
// input's folder are rewritten relative to the output's.
void copy_run(Database& out, std::int64_t id, const std::string& run_columns,
              const fs::path& in_dir, const fs::path& out_dir) {
  Statement add(out, fmt::format(R"sql(
    INSERT INTO main.runs(experiment_id, {0})
    SELECT (SELECT id FROM main.experiments WHERE name = e.name), {0}
    FROM input.runs r JOIN input.experiments e ON e.id = r.experiment_id WHERE r.id = ?)sql",
                                 run_columns));
  add.bind(1, id).run();
  const std::int64_t new_id = out.last_insert_id();
  for (const char* table : run_tables) {
    const std::string columns = columns_except(out, table, {"run_id", "id"});
    Statement rows(out, fmt::format("INSERT INTO main.{0}(run_id, {1}) SELECT ?, {1} FROM "
                                    "input.{0} WHERE run_id = ? ORDER BY rowid",
                                    table, columns));
    rows.bind(1, new_id).bind(2, id).run();
  }
  std::vector<std::pair<std::int64_t, fs::path>> relative;  // artifact, path
  {
    Statement paths(out, "SELECT id, path FROM main.artifacts WHERE run_id = ?");
    paths.bind(1, new_id);
    while (paths.step())
      if (!paths.is_null(1) && fs::path(paths.text(1)).is_relative())
        relative.emplace_back(paths.integer(0), paths.text(1));
  }
  Statement repath(out, "UPDATE main.artifacts SET path = ? WHERE id = ?");
  for (const auto& [artifact, p] : relative)
    repath.bind(1, fs::relative(in_dir / p, out_dir).string()).bind(2, artifact).run();
}

// The input's learning-rate range tests that the main database does not hold yet. The CTE
// gives each its experiment's name, so the column list needs no table prefix.
void copy_lr_finds(Database& out) {
  const std::string columns = columns_except(out, "lr_finds", {"id", "experiment_id"});
  out.exec(fmt::format(R"sql(
    WITH named AS (SELECT l.*, e.name AS experiment FROM input.lr_finds l
                   JOIN input.experiments e ON e.id = l.experiment_id)
    INSERT INTO main.lr_finds(experiment_id, {0})
    SELECT (SELECT id FROM main.experiments WHERE name = named.experiment), {0} FROM named
    WHERE NOT EXISTS (SELECT 1 FROM main.lr_finds m JOIN main.experiments me
                      ON me.id = m.experiment_id
                      WHERE me.name = named.experiment AND m.created = named.created
                        AND m.curve = named.curve)
    ORDER BY named.id)sql",
                       columns));
}

}  // namespace

MergeCount merge_database(Database& out, const std::string& input) {
  if (!fs::exists(input)) throw StorageError(input + ": no such run database");
  {
    Database in(input, false);
    migrate(in);  // forward only: an older input gains the new, empty tables
  }
  Statement attach(out, "ATTACH DATABASE ? AS input");
  attach.bind(1, input).run();
  MergeCount count;
  try {
    Transaction t(out);
    out.exec(R"sql(INSERT OR IGNORE INTO experiments(name, created)
                   SELECT name, created FROM input.experiments)sql");
    const std::string run_columns = columns_except(out, "runs", {"id", "experiment_id"});
    const MergePlan plan = plan_merge(out);
    count.skipped = plan.skipped;
    count.replaced = static_cast<int>(plan.replace.size());
    count.added = static_cast<int>(plan.copy.size()) - count.replaced;
    Statement drop(out, "DELETE FROM main.runs WHERE id = ?");  // cascades to its rows
    for (std::int64_t id : plan.replace) drop.bind(1, id).run();
    for (std::int64_t id : plan.copy)
      copy_run(out, id, run_columns, directory_of(input), directory_of(out.path()));
    copy_lr_finds(out);
    t.commit();
  } catch (...) {
    out.exec("DETACH DATABASE input");
    throw;
  }
  out.exec("DETACH DATABASE input");
  return count;
}

}  // namespace ferlab::storage
