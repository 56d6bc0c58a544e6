// The run database's schema, versioned with PRAGMA user_version and migrated forward.
#pragma once

#include "storage/sqlite.hpp"

namespace ferlab::storage {

// The version this build writes.
int current_schema_version();

// Brings the database to the current version, each migration in its own transaction.
// Throws StorageError for a database written by a newer ferlab.
void migrate(Database& db);

}  // namespace ferlab::storage
