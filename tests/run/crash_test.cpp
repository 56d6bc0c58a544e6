// `ferlab run` against the worst a machine does to it: SIGKILL mid-epoch (then --resume), two
// processes writing one database at once, a database that cannot be written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "../support/recorded_results.hpp"
#include "../support/specs.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using ferlab::testing_support::CommandOutput;
using ferlab::testing_support::recorded_results;
using ferlab::testing_support::run_command;
using testing::HasSubstr;

namespace {

// Tiny: 7 classes of 8 images per split, 16x16, one convolution.
std::string tiny_spec(const std::string& name, int epochs) {
  return "name: " + name + R"(
seeds: [1]
dataset: {plugin: synthetic-faces, seed: 3, size: 16, train_count: 56, val_count: 28, test_count: 28}
model:
  layers:
    - {type: convolution, name: c1, filters: 4, kernel: 3, padding: 1}
    - {type: relu}
    - {type: max-pool, kernel: 4}
    - {type: flatten}
    - {type: dense, units: 7}
train: {epochs: )" +
         std::to_string(epochs) +
         R"(, batch: 8, optimizer: {name: adam, lr: 0.001}}
evaluate: {splits: [val, test]}
)";
}

class CrashTest : public testing::Test {
 protected:
  fs::path write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ / file) << text;
    return dir_ / file;
  }
  std::string db() const { return (dir_ / "runs.db").string(); }
  std::string ferlab(const std::string& args) const {
    return std::string(FERLAB_CLI) + " " + args + " --db " + db() + " --threads 1";
  }
  static std::int64_t scalar(Database& d, const std::string& sql) {
    Statement s(d, sql);
    return s.step() ? s.integer(0) : -1;
  }
  static std::string text(Database& d, const std::string& sql) {
    Statement s(d, sql);
    return s.step() ? s.text(0) : "";
  }

  ferlab::testing_support::TempDir temp_{"crash"};
  const fs::path dir_ = temp_.path();
};

}  // namespace

TEST_F(CrashTest, SigkillMidEpochLeavesAnIntactDatabaseOfWholeEpochs) {
  fs::path spec = write("spec.yaml", tiny_spec("crash", 100000));
  fs::path log = dir_ / "log.txt";
  // Kill it some steps into an epoch after the second one was recorded.
  std::string script = ferlab("run " + spec.string()) + " >" + log.string() +
                       " 2>&1 & pid=$!; for i in $(seq 600); do grep -q 'epoch 3/' " +
                       log.string() + " && break; sleep 0.05; done; sleep 0.13; kill -KILL $pid; " +
                       "wait $pid; echo $?";
  ASSERT_EQ(run_command(script).out, "137\n");  // 128 + SIGKILL
  {
    Database d(db(), false);
    EXPECT_EQ(text(d, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(text(d, "SELECT status FROM runs"), "running") << "nobody has noticed yet";
    const std::int64_t epochs = scalar(d, "SELECT count(*) FROM epochs WHERE split = 'train'");
    EXPECT_GE(epochs, 2);
    EXPECT_EQ(scalar(d, "SELECT count(*) FROM epochs WHERE split = 'val'"), epochs);
    EXPECT_EQ(scalar(d, "SELECT max(epoch) FROM epochs"), epochs) << "epochs 1..n, no gap";
    // The last checkpoint follows an epoch's rows: it is at that epoch or one behind.
    const std::int64_t last =
        scalar(d, "SELECT epoch FROM artifacts WHERE kind = 'checkpoint' AND name = 'last'");
    EXPECT_GE(last, epochs - 1);
    EXPECT_LE(last, epochs);
  }
  // The next command that reads the database notices the dead process.
  auto listing = run_command(std::string(FERLAB_CLI) + " runs --db " + db());
  ASSERT_EQ(listing.status, 0) << listing.out;
  EXPECT_THAT(listing.out, HasSubstr("interrupted"));
  Database d(db(), false);
  EXPECT_EQ(text(d, "SELECT status FROM runs"), "interrupted");
  EXPECT_THAT(text(d, "SELECT error FROM runs"), HasSubstr("is gone"));
}

TEST_F(CrashTest, KilledThenResumedEndsWithTheMetricsOfAnUninterruptedRun) {
  // Dropout, augmentation, momentum and TTA: every random stream and optimizer state counts.
  fs::path spec = write("spec.yaml", ferlab::testing_support::resumable_spec("resume", 6));
  const std::string straight_db = (dir_ / "straight.db").string();
  ASSERT_EQ(run_command(std::string(FERLAB_CLI) + " run " + spec.string() + " --db " + straight_db +
                        " --threads 1 2>&1")
                .status,
            0);
  fs::path log = dir_ / "log.txt";
  std::string script = ferlab("run " + spec.string()) + " >" + log.string() +
                       " 2>&1 & pid=$!; for i in $(seq 3000); do grep -q 'epoch 2/' " +
                       log.string() + " && break; sleep 0.01; done; sleep 0.05; kill -KILL $pid; " +
                       "wait $pid; echo $?";
  ASSERT_EQ(run_command(script).out, "137\n") << "the run ended before it could be killed";
  const auto resumed = run_command(ferlab("run " + spec.string() + " --resume") + " 2>&1");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_THAT(resumed.out, HasSubstr("resuming run 1 (interrupted)"));
  {
    Database d(db(), false);
    EXPECT_EQ(text(d, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs"), 1) << "continued, not started again";
    EXPECT_THAT(text(d, "SELECT message FROM events WHERE code = 'resumed'"),
                HasSubstr("resumed after epoch"));
  }
  EXPECT_EQ(recorded_results(db()), recorded_results(straight_db));

  // A finished run is not run again.
  const auto again = run_command(ferlab("run " + spec.string() + " --resume") + " 2>&1");
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("finished as run 1, skipped"));
  Database d(db(), false);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM epochs WHERE split = 'train'"), 6);
}

// A run of `epochs` with a reduce-on-plateau schedule quick to cut the rate, or `schedule`.
std::string scheduled_spec(int epochs, const std::string& schedule = "plateau, patience: 1") {
  std::string spec = tiny_spec("extended", epochs);
  const std::string optimizer = "optimizer: {name: adam, lr: 0.001}";
  spec.replace(spec.find(optimizer), optimizer.size(),
               optimizer + ", schedule: {name: " + schedule + "}");
  return spec;
}

class ResumeTest : public CrashTest {
 protected:
  // Runs `first` to its end, then marks the run interrupted as if it had died before the final
  // evaluation, and resumes it with `then`.
  CommandOutput run_then_resume(const std::string& first, const std::string& then) {
    fs::path spec = write("spec.yaml", first);
    const auto before = run_command(ferlab("run " + spec.string()) + " 2>&1");
    EXPECT_EQ(before.status, 0) << before.out;
    {
      Database d(db(), true);
      d.exec("UPDATE runs SET status = 'interrupted'");
    }
    write("spec.yaml", then);
    return run_command(ferlab("run " + spec.string() + " --resume") + " 2>&1");
  }
};

TEST_F(ResumeTest, AnotherSpecIsRefused) {
  std::string other = scheduled_spec(2);
  other.replace(other.find("filters: 4"), 10, "filters: 5");
  const auto refused = run_then_resume(scheduled_spec(2), other);
  EXPECT_NE(refused.status, 0);
  EXPECT_THAT(refused.out,
              HasSubstr("run 1 cannot be resumed with this spec: it was recorded with another "
                        "resolved spec"));
}

// Extending an interrupted run: epochs 3 -> 6 with a plateau schedule ends exactly like a
// straight run of 6 epochs, rates included (the plateau's progress carries over). The
// description may change with it.
TEST_F(ResumeTest, APlateauRunExtendedToMoreEpochsEndsLikeARunOfThatLength) {
  const std::string straight_db = (dir_ / "straight.db").string();
  fs::path straight_spec = write("straight.yaml", scheduled_spec(6));
  ASSERT_EQ(run_command(std::string(FERLAB_CLI) + " run " + straight_spec.string() + " --db " +
                        straight_db + " --threads 1 2>&1")
                .status,
            0);
  {
    Database d(straight_db, false);
    ASSERT_GE(scalar(d, "SELECT count(DISTINCT lr) FROM epochs"), 2)
        << "the plateau schedule must cut the rate for this test to show it carries over";
  }
  const auto extended =
      run_then_resume(scheduled_spec(3), "description: six epochs\n" + scheduled_spec(6));
  ASSERT_EQ(extended.status, 0) << extended.out;
  EXPECT_THAT(extended.out, HasSubstr("resuming run 1 (interrupted, train.epochs 3 -> 6)"));
  EXPECT_EQ(recorded_results(db(), false), recorded_results(straight_db, false));
  Database d(db(), false);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs"), 1);
  EXPECT_EQ(text(d, "SELECT value FROM params WHERE key = 'train.epochs'"), "6");
  EXPECT_THAT(text(d, "SELECT resolved_spec FROM runs"), HasSubstr("epochs: 6"));
  EXPECT_THAT(text(d, "SELECT message FROM events WHERE code = 'resumed'"),
              HasSubstr("resumed after epoch 3, train.epochs 3 -> 6"));
}

// Seeds or shards often get a database each in one folder: each keeps its own checkpoints
// (they were once all named run-1-*.ferlab there, the last run overwriting the others').
TEST_F(CrashTest, DatabasesSharingAFolderKeepTheirOwnCheckpoints) {
  fs::path spec = write("spec.yaml", tiny_spec("shared", 1));
  for (const char* name : {"a", "b"}) {
    const std::string run = std::string(FERLAB_CLI) + " run " + spec.string() + " --db " +
                            (dir_ / (std::string(name) + ".db")).string() + " --threads 1" +
                            " --set seeds=[" + (name == std::string("a") ? "1" : "2") + "] 2>&1";
    ASSERT_EQ(run_command(run).status, 0);
  }
  for (const char* name : {"a", "b"}) {
    Database d((dir_ / (std::string(name) + ".db")).string(), false);
    const std::string file = text(d, "SELECT path FROM artifacts WHERE name = 'best'");
    EXPECT_EQ(file, "checkpoints/" + std::string(name) + "-run-1-best.ferlab");
    // The recorded hash is the file's: nothing overwrote it.
    const auto sum = run_command("sha256sum " + (dir_ / file).string());
    EXPECT_EQ(sum.out.substr(0, 64), text(d, "SELECT sha256 FROM artifacts WHERE name = 'best'"));
  }
}

// A database from before that naming records checkpoints/run-1-*.ferlab: resuming continues
// from that file, and goes on writing it.
TEST_F(ResumeTest, ACheckpointUnderItsOlderNameIsResumedFrom) {
  fs::path spec = write("spec.yaml", scheduled_spec(2));
  ASSERT_EQ(run_command(ferlab("run " + spec.string()) + " 2>&1").status, 0);
  {
    Database d(db(), true);
    d.exec("UPDATE runs SET status = 'interrupted'");
    for (const char* which : {"best", "last"}) {
      const std::string old_name = std::string("checkpoints/run-1-") + which + ".ferlab";
      fs::rename(dir_ / "checkpoints" / (std::string("runs-run-1-") + which + ".ferlab"),
                 dir_ / old_name);
      d.exec("UPDATE artifacts SET path = '" + old_name + "' WHERE name = '" + which + "'");
    }
  }
  write("spec.yaml", scheduled_spec(3));
  const auto resumed = run_command(ferlab("run " + spec.string() + " --resume") + " 2>&1");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_THAT(resumed.out, HasSubstr("resumed after epoch 2"));
  EXPECT_FALSE(fs::exists(dir_ / "checkpoints" / "runs-run-1-last.ferlab"));
  Database d(db(), false);
  EXPECT_EQ(text(d, "SELECT path FROM artifacts WHERE name = 'last'"),
            "checkpoints/run-1-last.ferlab");
  EXPECT_EQ(scalar(d, "SELECT epoch FROM artifacts WHERE name = 'last'"), 3);
}

TEST_F(ResumeTest, FewerEpochsAreRefused) {
  const auto fewer = run_then_resume(scheduled_spec(3), scheduled_spec(2));
  EXPECT_NE(fewer.status, 0);
  EXPECT_THAT(fewer.out, HasSubstr("train.epochs 3 -> 2: epochs can only grow"));
}

TEST_F(ResumeTest, ARunWithACosineScheduleCannotBeExtended) {
  const auto cosine = run_then_resume(scheduled_spec(2, "cosine"), scheduled_spec(3, "cosine"));
  EXPECT_NE(cosine.status, 0);
  EXPECT_THAT(cosine.out, HasSubstr("train.epochs 2 -> 3: the cosine schedule depends on the "
                                    "number of epochs"));
}

// A full disk, simulated by a file-size limit (prlimit --fsize: the same EFBIG/ENOSPC-style
// write failure, no root or tmpfs needed). The database outgrows the limit after a few epochs:
// the run stops with an error naming the database and saying why, not killed by SIGXFSZ; the
// database keeps every epoch committed before; --resume without the limit ends with the
// results of a run that never failed.
TEST_F(CrashTest, AFullDiskStopsTheRunClearlyAndResumeFinishesIt) {
  fs::path spec = write("spec.yaml", tiny_spec("full", 8));
  const std::string straight_db = (dir_ / "straight.db").string();
  ASSERT_EQ(run_command(std::string(FERLAB_CLI) + " run " + spec.string() + " --db " + straight_db +
                        " --threads 1 2>&1")
                .status,
            0);
  const auto full =
      run_command("prlimit --fsize=204800 " + ferlab("run " + spec.string()) + " 2>&1");
  EXPECT_EQ(full.status, 1) << full.out;  // an error exit, not a signal
  EXPECT_THAT(full.out, HasSubstr(db() + ": "));
  EXPECT_THAT(full.out, HasSubstr("is the disk full, or the file past a size limit?"));
  int committed = 0;
  {
    Database d(db(), false);
    EXPECT_EQ(text(d, "PRAGMA integrity_check"), "ok");
    committed = static_cast<int>(scalar(d, "SELECT count(*) FROM epochs WHERE split = 'train'"));
  }
  ASSERT_GE(committed, 1) << "the limit must let a first epoch through";
  ASSERT_LT(committed, 8) << "the limit must stop the run before its end";
  const auto resumed = run_command(ferlab("run " + spec.string() + " --resume") + " 2>&1");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_EQ(recorded_results(db()), recorded_results(straight_db));
}

// A checkpoint that cannot be written (here larger than the file-size limit) fails the run with
// the file and the system's reason, leaves no partial file, and the run is resumable.
TEST_F(CrashTest, ACheckpointThatCannotBeWrittenFailsTheRunClearly) {
  std::string big = tiny_spec("big", 2);
  const std::string dense = "    - {type: dense, units: 7}";
  big.replace(big.find(dense), dense.size(), "    - {type: dense, units: 1024}\n" + dense);
  fs::path spec = write("spec.yaml", big);  // 64 * 1024 weights: a 256 KiB+ checkpoint
  const auto failed =
      run_command("prlimit --fsize=200000 " + ferlab("run " + spec.string()) + " 2>&1");
  EXPECT_EQ(failed.status, 1) << failed.out;
  const fs::path best = dir_ / "checkpoints" / "runs-run-1-best.ferlab";
  EXPECT_THAT(failed.out, HasSubstr(best.string() + ": cannot write checkpoint (File too large)"));
  EXPECT_FALSE(fs::exists(best.string() + ".tmp"));
  {
    Database d(db(), false);
    EXPECT_EQ(text(d, "SELECT status FROM runs"), "failed");
  }
  const auto resumed = run_command(ferlab("run " + spec.string() + " --resume") + " 2>&1");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  Database d(db(), false);
  EXPECT_EQ(text(d, "SELECT status FROM runs"), "finished");
}

TEST_F(CrashTest, TwoProcessesWritingOneDatabaseLoseNoRows) {
  fs::path a = write("a.yaml", tiny_spec("writer-a", 6));
  fs::path b = write("b.yaml", tiny_spec("writer-b", 6));
  auto out = run_command("(" + ferlab("run " + a.string()) + " >/dev/null 2>&1; echo a $?) & (" +
                         ferlab("run " + b.string()) + " >/dev/null 2>&1; echo b $?) & wait");
  EXPECT_THAT(out.out, HasSubstr("a 0"));
  EXPECT_THAT(out.out, HasSubstr("b 0"));
  Database d(db(), false);
  EXPECT_EQ(text(d, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE status = 'finished'"), 2);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM epochs"), 2 * 6 * 2);  // runs x epochs x splits
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM predictions WHERE split = 'test'"), 2 * 2 * 28);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM artifacts WHERE kind = 'checkpoint'"), 2 * 2);
  EXPECT_EQ(scalar(d, "SELECT count(DISTINCT run_id) FROM metrics WHERE name = 'kappa'"), 2);
}

TEST_F(CrashTest, AnUnwritableDatabaseIsAnErrorBeforeTraining) {
  fs::path spec = write("spec.yaml", tiny_spec("nowhere", 1));
  const std::string missing = (dir_ / "no-such-dir" / "runs.db").string();
  auto r = run_command(std::string(FERLAB_CLI) + " run " + spec.string() + " --db " + missing);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr(missing + ": cannot open the run database"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("loading dataset")));

  // A database file this user may only read. Root ignores permissions: run as nobody then.
  ASSERT_EQ(run_command(ferlab("run " + spec.string())).status, 0);
  fs::permissions(db(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                            fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
  const std::string as_user =
      geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  r = run_command(as_user + std::string(FERLAB_CLI) + " run " + spec.string() + " --db " + db());
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr(db() + ": "));
  EXPECT_THAT(r.out, HasSubstr("readonly"));
  EXPECT_THAT(r.out, testing::Not(HasSubstr("loading dataset")));
}
