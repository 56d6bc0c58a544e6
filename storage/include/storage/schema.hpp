// The run database's schema, versioned with PRAGMA user_version and migrated forward.
#pragma once

#include "storage/sqlite.hpp"

namespace ferlab::storage {

// The version this build writes.
int current_schema_version();

// PRAGMA application_id of a ferlab run database: "FERL".
inline constexpr std::int64_t kApplicationId = 0x4645524C;

// Refuses (StorageError naming the file) a database that is not ferlab's (another
// application_id, or tables without a ferlab schema version), one of a newer schema, and one
// holding triggers or views, which ferlab never creates and which would run on its writes.
// Database's constructor calls it, so every reader and writer does.
void check_run_database(Database& db);

// Brings the database to the current version, each migration in its own transaction.
// Throws StorageError as check_run_database does.
void migrate(Database& db);

}  // namespace ferlab::storage
