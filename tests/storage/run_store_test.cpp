// The run store, read back with plain SQL: what was written is there, whole.
#include "storage/run_store.hpp"

#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "../support/temp_dir.hpp"
#include "storage/schema.hpp"

namespace fs = std::filesystem;
using namespace ferlab::storage;
using testing::HasSubstr;

namespace {

class RunStoreTest : public testing::Test {
 protected:
  void TearDown() override { fs::permissions(dir_, fs::perms::owner_all); }
  std::string db() const { return (dir_ / "runs.db").string(); }

  static std::int64_t scalar(Database& d, const std::string& sql) {
    Statement s(d, sql);
    return s.step() ? s.integer(0) : -1;
  }

  ferlab::testing_support::TempDir temp_{"store"};
  const fs::path dir_ = temp_.path();
};

RunInfo info() {
  RunInfo i;
  i.experiment = "exp";
  i.variant = "backbone=vgg";
  i.seed = 3;
  i.params = {{"train.epochs", "2"}, {"model.backbone.plugin", "vgg"}};
  i.plugins = {{"backbone", "vgg", "0.1.0"}};
  return i;
}

}  // namespace

TEST_F(RunStoreTest, RecordsARunItsEpochsAndItsEvaluation) {
  {
    RunStore store(db());
    std::int64_t run = store.begin_run(info(), {"a", "b"});
    store.record_epoch(run, {{1, "train", 0.9, 0.5, 0.4, 0.01, 2.0, 100.0},
                             {1, "val", 1.0, 0.45, 0.4, 0.01, 2.0, 100.0}});
    store.record_evaluation(
        run,
        {"test", "none", "best", {{"accuracy", 0.75}}, {{"recall", 1, 0.5}}, {{2, 1}, {0, 1}}});
    store.record_event(run, "corrupt-image", "x.png: cannot decode", 4);
    store.finish_run(run, RunStatus::finished);
  }
  Database d(db(), false);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE status = 'finished' AND seed = 3"), 1);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM epochs"), 2);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM params"), 2);
  EXPECT_EQ(scalar(d, "SELECT count FROM confusion WHERE true_class = 0 AND predicted_class = 0"),
            2);
  EXPECT_EQ(scalar(d, "SELECT sum(count) FROM confusion"), 4);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM metrics WHERE name = 'recall' AND class = 1"), 1);
  EXPECT_EQ(scalar(d, "SELECT count FROM events WHERE code = 'corrupt-image'"), 4);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM classes"), 2);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE ended IS NOT NULL AND error IS NULL"), 1);
  EXPECT_EQ(scalar(d, "PRAGMA user_version"), current_schema_version());
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE fold IS NULL"), 1);  // not a k-fold run
}

TEST_F(RunStoreTest, RecordsTheFoldOfAKFoldRun) {
  RunInfo i = info();
  i.fold = "3/10";
  RunStore store(db());
  store.begin_run(i, {"a"});
  Statement s(store.database(), "SELECT fold FROM runs");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "3/10");
}

TEST_F(RunStoreTest, AFailedEpochWriteLeavesNoPartOfTheEpoch) {
  RunStore store(db());
  std::int64_t run = store.begin_run(info(), {"a"});
  EXPECT_THROW(store.record_epoch(run + 100, {{1, "train", 1, 1, 1, 1, 1, 1}}), StorageError)
      << "epochs of a run that does not exist";
  // The second row breaks a constraint after the first was inserted: neither may remain.
  EXPECT_THROW(store.record_epoch(
                   run, {{1, "train", 1, 1, 1, 1, 1, 1}, {1, "no-such-split", 1, 1, 1, 1, 1, 1}}),
               StorageError);
  Database d(db(), false);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM epochs"), 0);
}

TEST_F(RunStoreTest, AMissingDirectoryIsAClearErrorNamingTheFile) {
  std::string path = (dir_ / "missing" / "runs.db").string();
  try {
    RunStore store(path);
    FAIL() << "expected an error";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ": cannot open the run database"));
  }
}

// Root ignores file permissions (and CI runs as root): the attempt runs in a child process
// that drops to user nobody first.
TEST_F(RunStoreTest, AReadOnlyDatabaseIsRefusedAtOpening) {
  { RunStore store(db()); }
  const auto read_only = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  fs::permissions(db(), read_only);
  fs::permissions(
      dir_, read_only | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const uid_t nobody = 65534;
    if (geteuid() == 0 && (setgroups(0, nullptr) != 0 || setresgid(nobody, nobody, nobody) != 0 ||
                           setresuid(nobody, nobody, nobody) != 0))
      _exit(3);
    try {
      RunStore store(db());
      _exit(0);
    } catch (const StorageError& e) {
      _exit(std::string(e.what()).find(db()) != std::string::npos ? 1 : 2);
    } catch (...) {
      _exit(4);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  fs::permissions(dir_, fs::perms::owner_all);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1)
      << "0: opened for writing; 2: refused without naming the file; 3: could not become nobody";
}

// Two `ferlab run`s started together on a new database: switching it to WAL must wait for the
// other process's lock, not fail (SQLite does not call its busy handler there). Each round
// starts six processes at the same instant on a fresh file.
TEST_F(RunStoreTest, ProcessesOpeningANewDatabaseAtOnceAllSucceed) {
  int failures = 0;
  for (int round = 0; round < 10; ++round) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db() + suffix);
    const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    std::vector<pid_t> children;
    for (int i = 0; i < 6; ++i) {
      pid_t pid = fork();
      if (pid == 0) {
        std::this_thread::sleep_until(start);
        try {
          RunStore store(db());
          _exit(0);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "round %d: %s\n", round, e.what());
          _exit(1);
        }
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST_F(RunStoreTest, ANewerSchemaIsRefused) {
  {
    Database d(db(), true);
    d.exec("PRAGMA user_version = 999");
  }
  try {
    RunStore store(db());
    FAIL() << "expected an error";
  } catch (const StorageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("schema version 999, newer than this ferlab understands"));
  }
}
