// `ferlab run` against the worst a machine does to it: SIGKILL mid-epoch, two processes
// writing one database at once, a database that cannot be written.
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
    // Checkpoints are written before an epoch's rows: the last one is at least that far.
    EXPECT_GE(scalar(d,
                     "SELECT epoch FROM artifacts WHERE kind = 'checkpoint' AND name = "
                     "'last'"),
              epochs);
  }
  // The next command that reads the database notices the dead process.
  auto listing = run_command(std::string(FERLAB_CLI) + " runs --db " + db());
  ASSERT_EQ(listing.status, 0) << listing.out;
  EXPECT_THAT(listing.out, HasSubstr("interrupted"));
  Database d(db(), false);
  EXPECT_EQ(text(d, "SELECT status FROM runs"), "interrupted");
  EXPECT_THAT(text(d, "SELECT error FROM runs"), HasSubstr("is gone"));
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
