// Run databases ferlab did not write, or a newer ferlab did: refused at opening, by writers and
// readers alike, with a message naming the file; never altered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "storage/run_store.hpp"
#include "storage/schema.hpp"

namespace fs = std::filesystem;
using namespace ferlab::storage;
using testing::HasSubstr;

namespace {

class ForeignDatabaseTest : public testing::Test {
 protected:
  std::string db() const { return (dir_ / "runs.db").string(); }

  // The error opening `path` for writing (RunStore) and for reading (Database); both must fail.
  static std::pair<std::string, std::string> open_errors(const std::string& path) {
    std::pair<std::string, std::string> errors;
    try {
      RunStore store(path);
    } catch (const StorageError& e) {
      errors.first = e.what();
    }
    try {
      Database read(path, false);
    } catch (const StorageError& e) {
      errors.second = e.what();
    }
    return errors;
  }

  // Writes a database with plain SQLite (as another program would) and returns its path.
  std::string sqlite_file(const std::string& sql) {
    sqlite3* handle = nullptr;
    sqlite3_open(db().c_str(), &handle);
    char* error = nullptr;
    sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(error, nullptr) << error;
    sqlite3_close(handle);
    return db();
  }

  static std::int64_t scalar(const std::string& path, const std::string& sql) {
    sqlite3* handle = nullptr;
    sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr);
    std::int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return value;
  }

  ferlab::testing_support::TempDir temp_{"foreign"};
  const fs::path dir_ = temp_.path();
};

TEST_F(ForeignDatabaseTest, AnotherProgramsTablesAreRefusedAndLeftAlone) {
  std::string path = sqlite_file("CREATE TABLE photos (id INTEGER, path TEXT)");
  auto [write, read] = open_errors(path);
  EXPECT_EQ(write, path +
                       ": not a ferlab run database (it holds tables photos but no ferlab "
                       "schema version)");
  EXPECT_EQ(read, write);
  EXPECT_EQ(scalar(path, "SELECT count(*) FROM sqlite_schema"), 1);  // no table added
}

TEST_F(ForeignDatabaseTest, AnotherApplicationIdIsRefused) {
  std::string path = sqlite_file("PRAGMA application_id = 252006674");  // Fossil's, 0x0f055112
  auto [write, read] = open_errors(path);
  EXPECT_EQ(write, path +
                       ": not a ferlab run database (its SQLite application_id is "
                       "0xf055112; ferlab's is 0x4645524c)");
  EXPECT_EQ(read, write);
}

TEST_F(ForeignDatabaseTest, ANewerSchemaIsRefusedByReadersToo) {
  { RunStore store(db()); }
  sqlite_file("PRAGMA user_version = 7");
  auto [write, read] = open_errors(db());
  EXPECT_THAT(write, HasSubstr(db() + ": the run database has schema version 7, newer than "
                                      "this ferlab understands"));
  EXPECT_EQ(read, write);
  auto listed = ferlab::testing_support::run_ferlab("runs --db " + db());
  EXPECT_NE(listed.status, 0);
  EXPECT_THAT(listed.err, HasSubstr(db() + ": the run database has schema version 7"));
}

TEST_F(ForeignDatabaseTest, TriggersAndViewsAreRefused) {
  { RunStore store(db()); }
  sqlite_file("CREATE TRIGGER wipe AFTER INSERT ON epochs BEGIN DELETE FROM runs; END");
  EXPECT_THAT(open_errors(db()).first,
              HasSubstr(db() + ": the run database holds a trigger (wipe), which ferlab never "
                               "creates"));
  sqlite_file("DROP TRIGGER wipe; CREATE VIEW everything AS SELECT * FROM runs");
  EXPECT_THAT(open_errors(db()).second, HasSubstr("holds a view (everything)"));
}

TEST_F(ForeignDatabaseTest, AFileThatIsNotSqliteIsNamed) {
  std::ofstream(db()) << "emotion,pixels,Usage\n" << std::string(5000, 'x');
  auto [write, read] = open_errors(db());
  EXPECT_THAT(write, HasSubstr(db() + ": "));
  EXPECT_THAT(write, HasSubstr("file is not a database"));
  EXPECT_THAT(read, HasSubstr("file is not a database"));
}

TEST_F(ForeignDatabaseTest, FerlabDatabasesCarryTheApplicationIdOldOnesGainIt) {
  { RunStore store(db()); }
  EXPECT_EQ(scalar(db(), "PRAGMA application_id"), kApplicationId);
  // One written before the id existed: a ferlab schema, application_id 0.
  sqlite_file("PRAGMA application_id = 0");
  EXPECT_EQ(open_errors(db()).second, "");  // readers accept it
  { RunStore store(db()); }
  EXPECT_EQ(scalar(db(), "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(scalar(db(), "PRAGMA user_version"), current_schema_version());
}

}  // namespace
