// A halving search split over shards (`ferlab run --shard I/N --peer DB ...`, each shard with a
// database of its own) ranks every rung on all shards' trials. Each shard publishes its
// database as a snapshot file at the end of each of its rungs, and the others read that
// snapshot, never the live file: on a cluster the shards' databases sit on a network file
// system, where SQLite's locks cannot be trusted. A snapshot is written under a temporary name
// and renamed into place, so a reader finds the previous snapshot or the new one, whole.
#pragma once

#include <string>
#include <vector>

#include "storage/sqlite.hpp"
#include "storage/trial_runs.hpp"

namespace ferlab::storage {

// Where the snapshot of the database at `db_path` is published: beside it, DB.snapshot.
std::string snapshot_path(const std::string& db_path);

// Publishes a consistent copy of `db` (SQLite's VACUUM INTO) at snapshot_path(db.path()).
void publish_snapshot(Database& db);

// The trial runs of `experiment` in the snapshot published for the database at `db_path`;
// empty when that shard has published none yet. The snapshot is copied to a private temporary
// file first (opening a database file writes to it).
std::vector<TrialRun> published_trial_runs(const std::string& db_path,
                                           const std::string& experiment);

}  // namespace ferlab::storage
