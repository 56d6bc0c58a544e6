// Same seed, same result, as users run ferlab: on every core. The one-thread case is tested
// beside the trainer and the runner; here a run on two threads, with every layer split across
// both (FERLAB_SINGLE_THREAD_WORK=0), is repeated and must record the same bits.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "../support/recorded_results.hpp"
#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using ferlab::testing_support::recorded_results;
using ferlab::testing_support::run_command;

namespace {

// Batchnorm (ferlab's own threaded loops), dropout, augmentation on the loader's threads,
// momentum and TTA: every threaded computation and random stream of a run.
const char* spec = R"(name: repeat
seeds: [1]
dataset: {plugin: synthetic-faces, seed: 3, size: 32, train_count: 560, val_count: 56, test_count: 56}
augment: [{plugin: hflip}, {plugin: rotate, degrees: 10}]
model:
  layers:
    - {type: convolution, name: c1, filters: 16, kernel: 3, padding: 1}
    - {type: batchnorm}
    - {type: relu}
    - {type: max-pool, kernel: 2}
    - {type: convolution, name: c2, filters: 32, kernel: 3, padding: 1}
    - {type: batchnorm}
    - {type: relu}
    - {type: dropout, rate: 0.2}
    - {type: max-pool, kernel: 4}
    - {type: flatten}
    - {type: dense, units: 7}
train: {epochs: 3, batch: 16, optimizer: {name: sgd, lr: 0.01, momentum: 0.9}}
evaluate: {splits: [val, test], tta: [none, hflip]}
)";

class ReproducibilityTest : public testing::Test {
 protected:
  void SetUp() override { std::ofstream(dir_ / "spec.yaml") << spec; }

  // Runs the spec into its own database on two threads; returns the database's path.
  std::string run_on_two_threads(const std::string& name, int seed) const {
    const std::string db = (dir_ / (name + ".db")).string();
    const auto r = run_command("FERLAB_SINGLE_THREAD_WORK=0 " + std::string(FERLAB_CLI) + " run " +
                               (dir_ / "spec.yaml").string() + " --db " + db +
                               " --threads 2 --set seeds=[" + std::to_string(seed) + "] 2>&1");
    EXPECT_EQ(r.status, 0) << r.out;
    return db;
  }

  ferlab::testing_support::TempDir temp_{"repeat"};
  const fs::path dir_ = temp_.path();
};

}  // namespace

TEST_F(ReproducibilityTest, ARunRepeatedOnTwoThreadsRecordsTheSameBits) {
  const std::string first = recorded_results(run_on_two_threads("first", 1));
  const std::string again = recorded_results(run_on_two_threads("again", 1));
  ASSERT_NE(first.find("finished"), std::string::npos) << first;
  EXPECT_EQ(first, again);
  // The comparison sees a difference where there is one: another seed records other epochs,
  // metrics and predictions (the first line, the runs row, names the seed and is left out).
  auto results_only = [](const std::string& recorded) {
    return recorded.substr(recorded.find('\n') + 1);
  };
  EXPECT_NE(results_only(recorded_results(run_on_two_threads("other", 2))), results_only(first));
  // The runs did use two threads.
  ferlab::storage::Database d((dir_ / "first.db").string(), false);
  ferlab::storage::Statement threads(d, "SELECT threads FROM runs");
  ASSERT_TRUE(threads.step());
  EXPECT_EQ(threads.integer(0), 2);
}
