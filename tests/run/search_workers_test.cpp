// Several `ferlab run --resume` processes on one database share a spec's runs: a 12-trial
// random search started twice at once ends with each trial run exactly once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

using ferlab::storage::Database;
using ferlab::storage::Statement;

TEST(SearchWorkers, TwoProcessesOnOneDatabaseRunEachTrialOnce) {
  const ferlab::testing_support::TempDir dir("workers");
  const std::string spec = (dir.path() / "spec.yaml").string(),
                    db = (dir.path() / "runs.db").string();
  std::ofstream(spec) << R"(name: workers
dataset: {plugin: synthetic-faces, seed: 3, size: 16, train_count: 280, val_count: 28, test_count: 28}
model: {layers: [{type: flatten}, {type: dense, units: 7}]}
train: {epochs: 3, batch: 8, optimizer: {name: adam, lr: 0.001}}
search:
  trials: 12
  space: {train.optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}}
)";
  const std::string worker = std::string(FERLAB_CLI) + " run " + spec +
                             " --resume --threads 1 --db " + db + " --cache off";
  const auto both = ferlab::testing_support::run_command(
      "(" + worker + " > " + (dir.path() / "a.log").string() + " 2>&1 & " + worker + " > " +
      (dir.path() / "b.log").string() + " 2>&1 & wait %1 && wait %2) && echo both-ok");
  ASSERT_THAT(both.out, testing::HasSubstr("both-ok")) << both.out;
  Database d(db, false);
  Statement runs(d, "SELECT count(*), count(DISTINCT variant), sum(status = 'finished') FROM runs");
  ASSERT_TRUE(runs.step());
  EXPECT_EQ(runs.integer(0), 12);  // no trial twice
  EXPECT_EQ(runs.integer(1), 12);
  EXPECT_EQ(runs.integer(2), 12);
  // Both took part: each process trained some trials and skipped those the other took.
  Statement pids(d, "SELECT count(DISTINCT pid) FROM runs");
  ASSERT_TRUE(pids.step());
  EXPECT_EQ(pids.integer(0), 2);
}
