// `ferlab run` end to end on a small synthetic dataset with an inline network: what lands in
// the database, sharding, and the data stages shared by a sweep.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "engine/checkpoint.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using testing::HasSubstr;

namespace {

using Output = ferlab::testing_support::CommandOutput;

Output run_ferlab(const std::string& args) {
  return ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " " + args);
}

// 7 classes of 10 images per split; a residual inline network written Caffe-style.
const char* spec = R"(name: tiny
seeds: [1]
dataset: {plugin: synthetic-faces, seed: 3, size: 24, train_count: 70, val_count: 35, test_count: 35}
preprocess: [{plugin: hist-eq}]
augment: [{plugin: hflip}]
model:
  layers:
    - {type: convolution, name: c1, filters: 4, kernel: 3, padding: 1}
    - {type: relu, name: r1}
    - {type: convolution, name: c2, filters: 4, kernel: 3, padding: 1}
    - {type: add, name: sum, inputs: [r1, c2]}
    - {type: max-pool, kernel: 4}
    - {type: flatten}
    - {type: dense, units: 7}
train: {epochs: 2, batch: 16, optimizer: {name: adam, lr: 0.001}}
evaluate: {splits: [val, test]}
)";

class RunTest : public testing::Test {
 protected:
  fs::path write(const std::string& text) {
    fs::path file = dir_ / "spec.yaml";
    std::ofstream(file) << text;
    return file;
  }
  std::string db() const { return (dir_ / "runs.db").string(); }
  static std::int64_t scalar(Database& d, const std::string& sql) {
    Statement s(d, sql);
    return s.step() ? s.integer(0) : -1;
  }

  ferlab::testing_support::TempDir temp_{"run"};
  const fs::path dir_ = temp_.path();
};

}  // namespace

TEST_F(RunTest, RecordsEveryEpochMetricAndParameterOfARun) {
  Output r = run_ferlab("run " + write(spec).string() + " --db " + db() + " --threads 1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("results recorded in " + db()));
  Database d(db(), false);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE status = 'finished'"), 1);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM epochs"), 4);  // 2 epochs x (train, val)
  EXPECT_EQ(scalar(d,
                   "SELECT count(*) FROM metrics WHERE name = 'accuracy' AND class = -1 AND "
                   "split IN ('val', 'test') AND tta = 'none'"),
            4);  // (val, test) x (best, last)
  EXPECT_EQ(scalar(d,
                   "SELECT sum(count) FROM confusion WHERE split = 'test' AND checkpoint = "
                   "'best'"),
            35);
  EXPECT_EQ(scalar(d,
                   "SELECT sum(value) FROM metrics WHERE name = 'support' AND split = 'test' "
                   "AND checkpoint = 'last'"),
            35);
  // Every test sample's prediction, for each checkpoint, with 7 float32 probabilities.
  EXPECT_EQ(scalar(d,
                   "SELECT count(*) FROM predictions WHERE split = 'test' AND checkpoint = "
                   "'best' AND length(probabilities) = 28"),
            35);
  // The best and last checkpoints are files next to the database, recorded with their hash.
  EXPECT_EQ(scalar(d, "SELECT epoch FROM artifacts WHERE kind = 'checkpoint' AND name = 'last'"),
            2);
  {
    Statement a(d, "SELECT path, sha256, bytes FROM artifacts WHERE name = 'best'");
    ASSERT_TRUE(a.step());
    EXPECT_EQ(a.text(0), "checkpoints/runs-run-1-best.ferlab");
    fs::path file = dir_ / a.text(0);
    ASSERT_TRUE(fs::exists(file));
    EXPECT_EQ(a.integer(2), static_cast<std::int64_t>(fs::file_size(file)));
    Output sum = ferlab::testing_support::run_command("sha256sum " + file.string());
    EXPECT_EQ(sum.out.substr(0, 64), a.text(1));
    // What prediction needs besides the weights travels in the file.
    const auto info = ferlab::engine::read_checkpoint_info(file);
    EXPECT_EQ(info.metadata.at("input_shape"), "1x24x24");
    EXPECT_THAT(info.metadata.at("classes"), HasSubstr("angry\ndisgust"));
    EXPECT_THAT(info.metadata.at("spec"), HasSubstr("synthetic-faces"));
  }
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM params WHERE key = 'train.epochs' AND value = '2'"), 1);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM params WHERE key = 'model.layers[3].inputs'"), 1);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM classes"), 7);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM run_plugins WHERE name = 'synthetic-faces'"), 1);
  // `ferlab runs` and `ferlab show` print what the database holds.
  Output runs = run_ferlab("runs --db " + db());
  ASSERT_EQ(runs.status, 0) << runs.out;
  EXPECT_THAT(runs.out, HasSubstr("best val acc"));
  EXPECT_THAT(runs.out, testing::ContainsRegex("1  tiny +- +1  finished"));
  Output show = run_ferlab("show 1 --db " + db());
  ASSERT_EQ(show.status, 0) << show.out;
  EXPECT_THAT(show.out, HasSubstr("test/none/best accuracy"));
  EXPECT_THAT(show.out, HasSubstr("train.epochs = 2"));
  Output missing = run_ferlab("show 99 --db " + db());
  EXPECT_EQ(missing.status, 1);
  EXPECT_THAT(missing.out, HasSubstr("there is no run 99"));
  // The CSV export has one row per metric row in the database, plus its header.
  Output csv = run_ferlab("export --csv --db " + db());
  ASSERT_EQ(csv.status, 0) << csv.out;
  EXPECT_THAT(csv.out, testing::StartsWith("run,experiment,variant,seed,status,split,tta,"
                                           "checkpoint,metric,class,value\n"));
  EXPECT_EQ(static_cast<std::int64_t>(std::count(csv.out.begin(), csv.out.end(), '\n')),
            scalar(d, "SELECT count(*) FROM metrics") + 1);
  EXPECT_THAT(csv.out, HasSubstr("1,tiny,,1,finished,test,none,best,accuracy,,"));
  // Accuracy in the database is the one the confusion matrix gives.
  Statement acc(d,
                "SELECT value FROM metrics WHERE name = 'accuracy' AND split = 'test' AND "
                "checkpoint = 'best'");
  ASSERT_TRUE(acc.step());
  EXPECT_NEAR(acc.real(0) * 35,
              scalar(d,
                     "SELECT sum(count) FROM confusion WHERE split = 'test' AND "
                     "checkpoint = 'best' AND true_class = predicted_class"),
              1e-9);
}

TEST_F(RunTest, SameSeedGivesTheSameMetricsWithOneThread) {
  fs::path file = write(spec);
  ASSERT_EQ(run_ferlab("run " + file.string() + " --db " + db() + " --threads 1").status, 0);
  ASSERT_EQ(run_ferlab("run " + file.string() + " --db " + db() + " --threads 1").status, 0);
  Database d(db(), false);
  EXPECT_EQ(scalar(d,
                   "SELECT count(DISTINCT value) FROM metrics WHERE name = 'log_loss' AND "
                   "split = 'test' AND checkpoint = 'best'"),
            1);
  EXPECT_EQ(scalar(d,
                   "SELECT count(*) FROM metrics WHERE name = 'log_loss' AND split = 'test' "
                   "AND checkpoint = 'best'"),
            2);
}

TEST_F(RunTest, ShardsSplitASweepAndTheDatasetIsLoadedOncePerInvocation) {
  std::string sweep = std::string(spec) + "sweep:\n  train.optimizer.lr: [0.001, 0.01]\n";
  sweep.replace(sweep.find("seeds: [1]"), 10, "seeds: [1, 2]");
  fs::path file = write(sweep);
  Output first = run_ferlab("run " + file.string() + " --db " + db() + " --shard 0/2 --threads 1");
  ASSERT_EQ(first.status, 0) << first.out;
  Output second = run_ferlab("run " + file.string() + " --db " + db() + " --shard 1/2 --threads 1");
  ASSERT_EQ(second.status, 0) << second.out;
  // Each shard ran two of the four runs and generated the dataset once for both.
  auto count = [](const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(first.out, "loading dataset"), 1u);
  EXPECT_EQ(count(first.out, "preprocessing: hist-eq"), 1u);
  EXPECT_EQ(count(first.out, ": training, seed"), 2u);
  Database d(db(), false);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE status = 'finished'"), 4);
  EXPECT_EQ(scalar(d, "SELECT count(DISTINCT variant || seed) FROM runs"), 4);
}

TEST_F(RunTest, ANetworkThatDoesNotEndInOneOutputPerClassFailsTheRunWithAClearError) {
  std::string bad = spec;
  bad.replace(bad.find("units: 7"), 8, "units: 5");
  Output r = run_ferlab("run " + write(bad).string() + " --db " + db());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("the network ends in 5 outputs but the dataset has 7 classes"));
  Database d(db(), false);
  EXPECT_EQ(scalar(d,
                   "SELECT count(*) FROM runs WHERE status = 'failed' AND error LIKE "
                   "'%5 outputs%'"),
            1);
}

TEST_F(RunTest, CtrlCFinishesTheStepRecordsTheRunAsInterruptedAndExits) {
  std::string slow = spec;
  slow.replace(slow.find("epochs: 2"), 9, "epochs: 500");
  fs::path file = write(slow), log = dir_ / "log.txt";
  // Start a run, wait for its first epoch, then send SIGINT as a terminal's Ctrl-C would.
  std::string script = std::string(FERLAB_CLI) + " run " + file.string() + " --db " + db() +
                       " --threads 1 >" + log.string() +
                       " 2>&1 & pid=$!; "
                       "for i in $(seq 600); do grep -q 'epoch 1/' " +
                       log.string() +
                       " && break; sleep 0.1; done; kill -INT $pid; wait $pid; echo $?";
  EXPECT_EQ(ferlab::testing_support::run_command(script).out, "1\n");
  Database d(db(), false);
  EXPECT_EQ(scalar(d,
                   "SELECT count(*) FROM runs WHERE status = 'interrupted' AND ended IS NOT "
                   "NULL"),
            1);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
  std::int64_t epochs = scalar(d, "SELECT count(*) FROM epochs WHERE split = 'train'");
  EXPECT_GE(epochs, 1);
  EXPECT_LT(epochs, 500);
  // Whole epochs only: every recorded epoch has both its rows.
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM epochs WHERE split = 'val'"), epochs);
}

TEST_F(RunTest, EveryBackboneAndAnActivationSwitchTrainFromTheSpecAlone) {
  std::string sweep = R"(name: backbones
dataset: {plugin: synthetic-faces, seed: 3, train_count: 42, val_count: 14, test_count: 14}
model: {backbone: {plugin: seed-cnn}}
train: {epochs: 1, batch: 14, optimizer: {name: sgd, lr: 0.01}}
sweep:
  model.backbone:
    - {plugin: seed-cnn, activation: swish}
    - {plugin: vgg, widths: [8, 8, 16, 16], dense: [32]}
    - {plugin: resnet, depth: 10, width: 8}
    - {plugin: mobilenet, width: 0.25}
    - {plugin: mini-xception}
)";
  Output r = run_ferlab("run " + write(sweep).string() + " --db " + db() + " --threads 1");
  ASSERT_EQ(r.status, 0) << r.out;
  Database d(db(), false);
  EXPECT_EQ(scalar(d, "SELECT count(*) FROM runs WHERE status = 'finished'"), 5);
  EXPECT_EQ(scalar(d,
                   "SELECT count(DISTINCT value) FROM params WHERE key = "
                   "'model.backbone.plugin'"),
            5);
  EXPECT_EQ(scalar(d,
                   "SELECT count(*) FROM metrics WHERE name = 'accuracy' AND split = 'test' "
                   "AND checkpoint = 'best'"),
            5);
}
