// `ferlab run` against the worst a machine does to it: SIGKILL mid-epoch (then --resume), two
// processes writing one database at once, a database that cannot be written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
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
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ferlab-crash-" + std::to_string(getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

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

  fs::path dir_;
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

// Everything a run records that must not depend on being interrupted (not times or speeds).
std::string recorded_results(const std::string& db) {
  Database d(db, false);
  std::string out;
  for (const char* sql :
       {"SELECT status, variant, seed FROM runs",
        "SELECT epoch, split, loss, accuracy, macro_f1, lr FROM epochs ORDER BY epoch, split",
        "SELECT split, tta, checkpoint, name, class, value FROM metrics ORDER BY 1, 2, 3, 4, 5",
        "SELECT split, tta, checkpoint, true_class, predicted_class, count FROM confusion "
        "ORDER BY 1, 2, 3, 4, 5",
        "SELECT split, tta, checkpoint, sample, predicted_class, hex(probabilities) FROM "
        "predictions ORDER BY 1, 2, 3, 4",
        "SELECT name, epoch, sha256 FROM artifacts WHERE kind = 'checkpoint' AND name = "
        "'best'"}) {
    Statement s(d, sql);
    while (s.step()) {
      for (int c = 0; c < s.columns(); ++c) out += s.text(c) + "|";
      out += "\n";
    }
  }
  return out;
}

TEST_F(CrashTest, KilledThenResumedEndsWithTheMetricsOfAnUninterruptedRun) {
  // Dropout, augmentation, momentum and TTA: every random stream and optimizer state counts.
  fs::path spec = write("spec.yaml", R"(name: resume
seeds: [1]
dataset: {plugin: synthetic-faces, seed: 3, size: 32, train_count: 1120, val_count: 56, test_count: 56}
augment: [{plugin: hflip}]
model:
  layers:
    - {type: convolution, name: c1, filters: 16, kernel: 3, padding: 1}
    - {type: relu}
    - {type: dropout, rate: 0.2}
    - {type: max-pool, kernel: 4}
    - {type: flatten}
    - {type: dense, units: 7}
train: {epochs: 6, batch: 8, optimizer: {name: sgd, lr: 0.01, momentum: 0.9}}
evaluate: {splits: [val, test], tta: [none, hflip]}
)");
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

TEST_F(CrashTest, ResumingWithAnotherSpecIsRefused) {
  fs::path spec = write("spec.yaml", tiny_spec("changed", 2));
  const auto interrupted = run_command(ferlab("run " + spec.string()) + " 2>&1");
  ASSERT_EQ(interrupted.status, 0) << interrupted.out;
  {
    Database d(db(), true);
    d.exec("UPDATE runs SET status = 'interrupted'");
  }
  write("spec.yaml", tiny_spec("changed", 3));
  const auto refused = run_command(ferlab("run " + spec.string() + " --resume") + " 2>&1");
  EXPECT_NE(refused.status, 0);
  EXPECT_THAT(refused.out, HasSubstr("run 1 was recorded with another resolved spec"));
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
