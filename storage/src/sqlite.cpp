#include "storage/sqlite.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "storage/schema.hpp"

namespace ferlab::storage {

namespace {

constexpr int kBusyTimeoutMs = 30000;

// Switching a new database to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at
// once, without its busy handler, while another connection (a second `ferlab run` opening the
// same new file) holds a lock. So wait here, as the busy timeout would.
int set_wal_mode(sqlite3* db) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) return rc;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

Database::Database(const std::string& path, bool create) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError(fmt::format("{}: cannot open the run database: {}", path, message));
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    exec("PRAGMA foreign_keys = ON");
    // Functions with side effects are not run from the schema (triggers, views, defaults).
    exec("PRAGMA trusted_schema = OFF");
    check_run_database(*this);           // reads the file: also fails first on a file not SQLite
    if (set_wal_mode(db_) != SQLITE_OK)  // fails first on a read-only file
      fail("cannot switch the run database to write-ahead logging");
    exec("PRAGMA synchronous = NORMAL");
  } catch (...) {
    sqlite3_close(db_);  // the destructor does not run when the constructor throws
    db_ = nullptr;
    throw;
  }
}

Database::~Database() { sqlite3_close(db_); }

void Database::fail(const std::string& what) const {
  throw StorageError(fmt::format("{}: {}: {}", path_, what, error_text()));
}

std::string Database::error_text() const {
  std::string text = sqlite3_errmsg(db_);
  // SQLite says "disk I/O error" for a full disk and a file-size limit alike; the system's
  // own error tells them apart ("No space left on device", "File too large").
  if (const int system = sqlite3_system_errno(db_); system != 0)
    text += fmt::format(" ({})", std::strerror(system));
  else if (const int code = sqlite3_extended_errcode(db_);
           code == SQLITE_FULL || code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_FSYNC ||
           code == SQLITE_IOERR_TRUNCATE)
    text += " (a write failed: is the disk full, or the file past a size limit?)";
  return text;
}

void Database::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    sqlite3_free(error);  // the same text as error_text()'s first part
    throw StorageError(fmt::format("{}: {} (in: {})", path_, error_text(), sql.substr(0, 80)));
  }
}

Statement::Statement(Database& db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
    db.fail("cannot prepare \"" + sql.substr(0, 60) + "\"");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.fail("bind");
  return *this;
}
Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_.fail("bind");
  return *this;
}
Statement& Statement::bind(int index, const std::string& value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK)
    db_.fail("bind");
  return *this;
}
Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_.fail("bind");
  return *this;
}
Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_blob(int index, const std::string& bytes) {
  // A zero-length blob from a null pointer would be bound as NULL.
  if (sqlite3_bind_blob(stmt_, index, bytes.empty() ? "" : bytes.data(),
                        static_cast<int>(bytes.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    db_.fail("bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("statement failed");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  return data ? std::string(static_cast<const char*>(data),
                            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string();
}

std::string Statement::text(int column) const {
  const unsigned char* t = sqlite3_column_text(stmt_, column);
  return t ? reinterpret_cast<const char*>(t) : "";
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace ferlab::storage
