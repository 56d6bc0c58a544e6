#include "storage/schema.hpp"

#include <fmt/format.h>

#include <vector>

namespace ferlab::storage {
namespace {

// Append-only: a released migration is never edited, a change is a new entry.
const std::vector<const char*>& migrations() {
  static const std::vector<const char*> list = {
      // 1: experiments, runs and what they produced.
      R"sql(
      CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments(id),
        variant TEXT NOT NULL,
        seed INTEGER NOT NULL,
        fold TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
        started TEXT NOT NULL,
        ended TEXT,
        heartbeat TEXT,
        host TEXT, cpu TEXT, threads INTEGER,
        spec_file TEXT, spec_text TEXT, resolved_spec TEXT,
        ferlab_version TEXT, git_revision TEXT, onednn_version TEXT, opencv_version TEXT,
        error TEXT
      );
      CREATE TABLE run_plugins (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
        PRIMARY KEY (run_id, kind, name)
      );
      CREATE TABLE params (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      );
      CREATE TABLE classes (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, name TEXT NOT NULL,
        PRIMARY KEY (run_id, idx)
      );
      CREATE TABLE epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL, split TEXT NOT NULL CHECK (split IN ('train', 'val')),
        loss REAL, accuracy REAL, macro_f1 REAL, lr REAL, seconds REAL, images_per_second REAL,
        PRIMARY KEY (run_id, epoch, split)
      );
      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split TEXT NOT NULL, tta TEXT NOT NULL, checkpoint TEXT NOT NULL,
        name TEXT NOT NULL, class INTEGER NOT NULL DEFAULT -1, value REAL NOT NULL,
        PRIMARY KEY (run_id, split, tta, checkpoint, name, class)
      );
      CREATE TABLE confusion (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split TEXT NOT NULL, tta TEXT NOT NULL, checkpoint TEXT NOT NULL,
        true_class INTEGER NOT NULL, predicted_class INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (run_id, split, tta, checkpoint, true_class, predicted_class)
      );
      CREATE TABLE events (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        code TEXT NOT NULL, message TEXT NOT NULL, count INTEGER NOT NULL
      );
      CREATE INDEX runs_by_experiment ON runs(experiment_id);
      )sql",
      // 2: what paired significance tests and the report need (every prediction, checkpoint
      // files, images), and who writes a run (pid, with host) to tell a dead process from a
      // slow one.
      R"sql(
      CREATE TABLE predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split TEXT NOT NULL, tta TEXT NOT NULL, checkpoint TEXT NOT NULL,
        sample TEXT NOT NULL,
        true_class INTEGER NOT NULL, predicted_class INTEGER NOT NULL,
        probabilities BLOB NOT NULL,
        PRIMARY KEY (run_id, split, tta, checkpoint, sample)
      );
      CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        name TEXT NOT NULL, path TEXT, sha256 TEXT, bytes INTEGER, epoch INTEGER, best_by TEXT,
        mime TEXT, data BLOB, caption TEXT,
        UNIQUE (run_id, kind, name)
      );
      ALTER TABLE runs ADD COLUMN pid INTEGER;
      )sql",
      // 3: learning-rate range tests (`ferlab lr-find --db`), for the report; not runs.
      R"sql(
      CREATE TABLE lr_finds (
        id INTEGER PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments(id),
        variant TEXT NOT NULL, created TEXT NOT NULL, spec_text TEXT,
        steps INTEGER NOT NULL, start_rate REAL NOT NULL, end_rate REAL NOT NULL,
        suggested REAL NOT NULL, minimum REAL NOT NULL, stopped TEXT,
        curve TEXT NOT NULL
      );
      )sql",
  };
  return list;
}

std::int64_t pragma(Database& db, const char* name) {
  Statement s(db, std::string("PRAGMA ") + name);
  s.step();
  return s.integer(0);
}

int user_version(Database& db) { return static_cast<int>(pragma(db, "user_version")); }

// Names of the schema objects of one type (table, trigger, view), comma-separated.
std::string objects(Database& db, const char* type) {
  Statement s(db, "SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%'");
  s.bind(1, std::string(type));
  std::string names;
  while (s.step()) names += (names.empty() ? "" : ", ") + s.text(0);
  return names;
}

}  // namespace

int current_schema_version() { return static_cast<int>(migrations().size()); }

void check_run_database(Database& db) {
  std::int64_t id = pragma(db, "application_id");
  if (id != 0 && id != kApplicationId)
    throw StorageError(fmt::format(
        "{}: not a ferlab run database (its SQLite application_id is {:#x}; ferlab's is {:#x})",
        db.path(), id, kApplicationId));
  // Version and tables in one statement, so one snapshot: read apart, another process's
  // first migration could commit in between (tables, yet version 0: refused as foreign).
  Statement snapshot(db,
                     "SELECT (SELECT user_version FROM pragma_user_version), (SELECT "
                     "group_concat(name, ', ') FROM sqlite_schema WHERE type = 'table' AND name "
                     "NOT LIKE 'sqlite_%')");
  snapshot.step();
  const int version = static_cast<int>(snapshot.integer(0));
  const std::string tables = snapshot.text(1);
  if (version > current_schema_version())
    throw StorageError(fmt::format(
        "{}: the run database has schema version {}, newer than this ferlab understands ({}); "
        "use a newer ferlab",
        db.path(), version, current_schema_version()));
  if (version == 0 && !tables.empty())
    throw StorageError(fmt::format(
        "{}: not a ferlab run database (it holds tables {} but no ferlab schema version)",
        db.path(), tables));
  if (version > 0 && (", " + tables + ", ").find(", runs, ") == std::string::npos)
    throw StorageError(fmt::format(
        "{}: not a ferlab run database (schema version {} but no runs table)", db.path(), version));
  for (const char* type : {"trigger", "view"})
    if (std::string found = objects(db, type); !found.empty())
      throw StorageError(fmt::format(
          "{}: the run database holds a {} ({}), which ferlab never creates; refused, as it "
          "could act on what ferlab writes or reads",
          db.path(), type, found));
}

void migrate(Database& db) {
  check_run_database(db);
  int version = user_version(db);
  for (int next = version; next < current_schema_version(); ++next) {
    Transaction t(db);
    // Another process may have migrated while this one waited for the write lock.
    if (user_version(db) > next) continue;
    db.exec(migrations()[next]);
    db.exec(fmt::format("PRAGMA user_version = {}", next + 1));
    t.commit();
  }
  // Databases from before the application_id gain it (a no-op when it is set).
  if (pragma(db, "application_id") != kApplicationId)
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
}

}  // namespace ferlab::storage
