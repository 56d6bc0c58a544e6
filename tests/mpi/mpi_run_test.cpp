// `mpirun -np 2 ferlab run SPEC`: one database written by rank 0, the figures of a one-process
// run with the same global batch, a killed process ending the job and a resumable run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "../support/specs.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using ferlab::testing_support::run_command;
using testing::HasSubstr;

namespace {

std::string mpirun(const std::string& args) {
#ifdef FERLAB_SANITIZED_BUILD
  const std::string environment = "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 ";
#else
  const std::string environment;
#endif
  return environment + "mpirun --allow-run-as-root --oversubscribe -np 2 " FERLAB_CLI " " + args;
}

// Per epoch and split: loss and accuracy.
std::vector<std::pair<double, double>> epochs(const fs::path& db) {
  Database d(db.string(), false);
  Statement s(d, "SELECT loss, accuracy FROM epochs ORDER BY run_id, epoch, split");
  std::vector<std::pair<double, double>> out;
  while (s.step()) out.emplace_back(s.real(0), s.real(1));
  return out;
}

class MpiRun : public testing::Test {
 protected:
  const ferlab::testing_support::TempDir temp_{"mpi-run"};
  const fs::path dir_ = temp_.path();
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
};

TEST_F(MpiRun, TwoProcessesRecordTheFiguresOfOneWithTheSameGlobalBatch) {
  // No dropout, no batchnorm: what differs between one and two processes is float rounding.
  const fs::path spec = write("spec.yaml", ferlab::testing_support::tiny_sweep_spec("mpi", 3));
  auto two = run_command(
      mpirun("run " + spec.string() + " --threads 1 --db " + (dir_ / "two.db").string()));
  ASSERT_EQ(two.status, 0) << two.out;
  EXPECT_THAT(two.out, HasSubstr("data-parallel over 2 processes"));
  auto one = run_command(std::string(FERLAB_CLI) + " run " + spec.string() + " --threads 1 --db " +
                         (dir_ / "one.db").string());
  ASSERT_EQ(one.status, 0) << one.out;
  const auto a = epochs(dir_ / "one.db"), b = epochs(dir_ / "two.db");
  ASSERT_EQ(a.size(), 4u * 3 * 2);  // 4 runs, 3 epochs, train and val
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(b[i].first, a[i].first, 1e-4 * std::abs(a[i].first)) << i;
    EXPECT_NEAR(b[i].second, a[i].second, 1e-4 * std::abs(a[i].second)) << i;
  }
  Database d((dir_ / "two.db").string(), false);
  Statement p(d, "SELECT value FROM params WHERE key = 'train.processes'");
  ASSERT_TRUE(p.step());
  EXPECT_EQ(p.text(0), "2");
}

// train.distill with sees: original: each rank computes the teachers' targets for every
// training image and takes the rows of its part of each batch, so 2 ranks record the figures
// of one process (float rounding apart). The control, the same student without its teacher,
// records other figures: the targets count, and rows read for the wrong images would show.
TEST_F(MpiRun, AStudentWhoseTeachersSawTheOriginalsTrainsAsInOneProcess) {
  const fs::path spec = write("distill.yaml", ferlab::testing_support::tiny_sweep_spec("mpi", 2));
  // One run of the spec (one learning rate, one seed) recorded in dir_ / db, then `extra`.
  auto one_run = [&](const std::string& db, const std::string& extra = "") {
    return "run " + spec.string() +
           " --threads 1 --set 'sweep={train.optimizer.lr: [0.01]}' --set 'seeds=[1]' --db " +
           (dir_ / db).string() + extra;
  };
  const std::string cli = std::string(FERLAB_CLI) + " ";
  auto teacher = run_command(cli + one_run("teacher.db"));
  ASSERT_EQ(teacher.status, 0) << teacher.out;
  const std::string distill = " --set 'train.distill={teacher: [" +
                              (dir_ / "checkpoints" / "teacher-run-1-best.ferlab").string() +
                              "], temperature: 2, weight: 0.5, sees: original}'";
  auto two = run_command(mpirun(one_run("two.db", distill)));
  ASSERT_EQ(two.status, 0) << two.out;
  EXPECT_THAT(two.out, HasSubstr("data-parallel over 2 processes"));
  auto one = run_command(cli + one_run("one.db", distill));
  ASSERT_EQ(one.status, 0) << one.out;
  auto alone = run_command(cli + one_run("alone.db"));
  ASSERT_EQ(alone.status, 0) << alone.out;
  const auto a = epochs(dir_ / "one.db"), b = epochs(dir_ / "two.db"),
             control = epochs(dir_ / "alone.db");
  ASSERT_EQ(a.size(), 2u * 2);  // 2 epochs, train and val
  ASSERT_EQ(b.size(), a.size());
  ASSERT_EQ(control.size(), a.size());
  double moved = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(b[i].first, a[i].first, 1e-4 * std::abs(a[i].first)) << i;
    EXPECT_NEAR(b[i].second, a[i].second, 1e-4 * std::abs(a[i].second)) << i;
    moved = std::max(moved, std::abs(control[i].first - a[i].first) / std::abs(a[i].first));
  }
  EXPECT_GT(moved, 1e-2);
}

// Batchnorm (each rank normalises its part of the batch with its own statistics): the run
// trains and finishes. Its figures differ from one process's by design, so only that is checked.
TEST_F(MpiRun, ANetworkWithBatchnormTrainsDataParallel) {
  const fs::path spec = write("bn.yaml", ferlab::testing_support::tiny_sweep_spec("mpi-bn", 1));
  auto two = run_command(mpirun(
      "run " + spec.string() + " --threads 1 --cache off --db " + (dir_ / "bn.db").string() +
      " --set 'sweep={train.optimizer.lr: [0.001]}' --set 'seeds=[1]' --set 'model={backbone: "
      "{plugin: vgg, widths: [8, 16], convs: 1, batchnorm: true, dense: [16]}}'"));
  ASSERT_EQ(two.status, 0) << two.out;
  Database d((dir_ / "bn.db").string(), false);
  Statement s(d, "SELECT count(*) FROM runs WHERE status = 'finished'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.integer(0), 1);
}

// train.sync_batchnorm: batchnorm's statistics over the whole batch, summed over the ranks, so
// 2 ranks record the figures of one process with the same global batch (float rounding apart);
// with per-rank statistics (the default) they do not. SGD, not Adam: a convolution's bias
// before batchnorm has a gradient of rounding noise, which Adam's normalisation turns into
// steps of the learning rate, moving the running means apart.
TEST_F(MpiRun, SynchronisedBatchnormRecordsTheFiguresOfOneProcess) {
  const fs::path spec = write("sync.yaml", ferlab::testing_support::tiny_sweep_spec("mpi-sync", 2));
  const std::string sets =
      " --threads 1 --cache off --set 'sweep={train.optimizer.lr: [0.05]}' --set 'seeds=[1]' "
      "--set 'train.optimizer={name: sgd, momentum: 0.9}' "
      "--set 'model={backbone: {plugin: vgg, widths: [8, 16], convs: 1, batchnorm: true, dense: "
      "[16], dropout: 0}}'";
  auto one = run_command(std::string(FERLAB_CLI) + " run " + spec.string() + sets + " --db " +
                         (dir_ / "one.db").string());
  ASSERT_EQ(one.status, 0) << one.out;
  for (const std::string sync : {"true", "false"}) {
    SCOPED_TRACE("sync_batchnorm " + sync);
    const fs::path db = dir_ / ("two-" + sync + ".db");
    auto two = run_command(mpirun("run " + spec.string() + sets + " --db " + db.string() +
                                  " --set train.sync_batchnorm=" + sync));
    ASSERT_EQ(two.status, 0) << two.out;
    const auto a = epochs(dir_ / "one.db"), b = epochs(db);
    ASSERT_EQ(a.size(), 2u * 2);  // 2 epochs, train and val
    ASSERT_EQ(b.size(), a.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max(worst, std::abs(b[i].first - a[i].first) / std::abs(a[i].first));
    if (sync == "true")
      EXPECT_LT(worst, 1e-4) << "the largest relative difference of a loss";
    else
      EXPECT_GT(worst, 1e-3) << "per-rank statistics should change the losses";
  }
}

// A process killed in the middle: the job ends with an error in seconds, and the run, left
// 'running' by the killed job, resumes in one process and finishes.
TEST_F(MpiRun, KilledProcessEndsTheJobAndTheRunResumesInOneProcess) {
  const fs::path spec = write("spec.yaml", ferlab::testing_support::resumable_spec("mpi-kill", 4));
  const fs::path db = dir_ / "runs.db", log = dir_ / "log.txt";
  const auto start = std::chrono::steady_clock::now();
  // The newest process mpirun started (rank 1) is killed once rank 0 reports epoch 2.
  const std::string script =
      mpirun("run " + spec.string() + " --threads 1 --db " + db.string()) + " >" + log.string() +
      " 2>&1 & job=$!; for i in $(seq 6000); do grep -q \"epoch 2/\" " + log.string() +
      " && break; sleep 0.01; done; pkill -KILL -n -P $job; wait $job; echo $?";
  auto killed = run_command("timeout 120 bash -c '" + script + "'");  // $job: the inner shell's
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(killed.out, "0\n") << killed.out;
  EXPECT_LT(seconds, 60);
  auto resumed = run_command(std::string(FERLAB_CLI) + " run " + spec.string() +
                             " --threads 1 --resume --db " + db.string());
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_THAT(resumed.out, HasSubstr("resum"));
  Database d(db.string(), false);
  Statement s(d, "SELECT count(*) FROM runs WHERE status = 'finished'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.integer(0), 1);
}

}  // namespace
