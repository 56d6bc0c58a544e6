// Data-parallel training over a real MPI (Open MPI's mpirun, 2 processes of one thread on this
// machine): tests/mpi/dp_probe.cpp trains a small network with the engine and writes, after every
// step, the loss and a checksum of the weights, then each epoch's figures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using ferlab::testing_support::run_command;

namespace {

const std::string probe = FERLAB_BINARY_DIR "/tests/ferlab-dp-probe";

std::string mpirun(int processes, const std::string& args) {
#ifdef FERLAB_SANITIZED_BUILD
  // Open MPI keeps its allocations until the process ends, which LeakSanitizer would report as
  // leaks; every other sanitizer check stays on.
  const std::string environment = "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 ";
#else
  const std::string environment;
#endif
  return environment + "mpirun --allow-run-as-root --oversubscribe -np " +
         std::to_string(processes) + " " + probe + " " + args;
}

std::vector<std::string> lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::vector<double>> numbers(const fs::path& file) {
  std::vector<std::vector<double>> rows;
  for (const std::string& line : lines(file)) {
    std::istringstream in(line);
    rows.emplace_back();
    for (double x; in >> x;) rows.back().push_back(x);
  }
  return rows;
}

class DataParallel : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_command("command -v mpirun").status, 0)
        << "mpirun is missing: install Debian's openmpi-bin (scripts/deps does)";
  }
  const ferlab::testing_support::TempDir temp_{"mpi"};
  const fs::path dir_ = temp_.path();
};

TEST_F(DataParallel, BothProcessesHoldTheSameWeightsAfterEveryStep) {
  auto run = run_command(mpirun(2, (dir_ / "two").string()));
  ASSERT_EQ(run.status, 0) << run.out;
  const auto rank0 = lines(dir_ / "two.rank0.steps"), rank1 = lines(dir_ / "two.rank1.steps");
  EXPECT_EQ(rank0.size(), 3u * 10);  // 3 epochs of 160 images in batches of 16
  EXPECT_EQ(rank0, rank1);
  // The weights change: a checksum that never moved would prove nothing.
  ASSERT_FALSE(rank0.empty());
  EXPECT_NE(rank0.front().substr(rank0.front().rfind(' ')),
            rank0.back().substr(rank0.back().rfind(' ')));
}

// The whole batch of 16 split as 8 + 8 gives, up to float rounding in the gradient sums, the
// training of one process on batches of 16.
TEST_F(DataParallel, TwoProcessesTrainAsOneWithTheSameGlobalBatch) {
  auto one = run_command(probe + " " + (dir_ / "one").string());
  ASSERT_EQ(one.status, 0) << one.out;
  auto two = run_command(mpirun(2, (dir_ / "two").string()));
  ASSERT_EQ(two.status, 0) << two.out;
  const auto a = numbers(dir_ / "one.rank0.epochs"), b = numbers(dir_ / "two.rank0.epochs");
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t e = 0; e < a.size(); ++e)
    for (std::size_t k = 1; k < a[e].size(); ++k)
      EXPECT_NEAR(b[e][k], a[e][k], 1e-4 * std::abs(a[e][k]) + 1e-12)
          << "epoch " << e + 1 << ", figure " << k << " (loss, accuracy, val loss, val accuracy)";
  // It learned: the last epoch's training loss is below the first's.
  EXPECT_LT(a.back()[1], a.front()[1]);
}

// Buckets of 0.0001 MiB make each layer's gradients a sum of its own, started during the backward
// pass (d2's, d1's, c1's: 3 per step) instead of one after it: the weights after every step are
// the same bits, as with 0 (a blocking sum after the pass).
TEST_F(DataParallel, GradientsSummedInBucketsDuringTheBackwardPassGiveTheSameWeights) {
  auto whole = run_command(mpirun(2, (dir_ / "whole").string()));
  ASSERT_EQ(whole.status, 0) << whole.out;
  auto buckets = run_command(mpirun(2, (dir_ / "buckets").string() + " --bucket-mb 0.0001"));
  ASSERT_EQ(buckets.status, 0) << buckets.out;
  EXPECT_EQ(numbers(dir_ / "whole.rank0.buckets"), std::vector<std::vector<double>>{{1}});
  EXPECT_EQ(numbers(dir_ / "buckets.rank0.buckets"), std::vector<std::vector<double>>{{3}});
  const auto expected = lines(dir_ / "whole.rank0.steps");
  EXPECT_EQ(expected.size(), 3u * 10);
  EXPECT_EQ(lines(dir_ / "buckets.rank0.steps"), expected);
  EXPECT_EQ(lines(dir_ / "buckets.rank1.steps"), expected);
  // 0: one blocking MPI_Allreduce after the pass.
  auto after = run_command(mpirun(2, (dir_ / "after").string() + " --bucket-mb 0"));
  ASSERT_EQ(after.status, 0) << after.out;
  EXPECT_EQ(lines(dir_ / "after.rank0.steps"), expected);
}

// A process killed in the middle of training ends the job, with a failure, within seconds: the
// survivor is not left waiting in an allreduce.
TEST_F(DataParallel, AKilledProcessEndsTheWholeJob) {
  const auto start = std::chrono::steady_clock::now();
  auto run = run_command("timeout 120 " +
                         mpirun(2, (dir_ / "killed").string() + " --kill-rank 1 --kill-step 5"));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(run.status, 0) << run.out;
  EXPECT_NE(run.status, 124) << "timed out: the job hung after losing a process";
  EXPECT_LT(seconds, 30) << run.out;
  EXPECT_LT(lines(dir_ / "killed.rank0.steps").size(), 30u);
}

}  // namespace
