// A thin RAII layer over the SQLite C API: a connection, prepared statements, transactions.
// Every failure throws StorageError naming the database file and SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace ferlab::storage {

struct StorageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  // Opens (creating when allowed) the file; sets WAL, foreign keys and a busy timeout so that
  // concurrent writers wait instead of failing.
  Database(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail(const std::string& what) const;
  // SQLite's message for the last error, with the system's when an OS call failed.
  std::string error_text() const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind_blob(int index, const std::string& bytes);
  // Steps once; true while a row is available.
  bool step();
  // Runs to completion and resets for reuse with new bindings.
  void run();
  void reset();

  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const;
  std::string blob(int column) const;
  int columns() const { return sqlite3_column_count(stmt_); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Commits on commit(); rolls back when destroyed without it (an exception on the way).
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace ferlab::storage
