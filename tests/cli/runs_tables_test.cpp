// `ferlab runs` and `ferlab show` on a database written by hand: the per-run and per-variant
// tables, plain and Markdown, against figures worked out by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "storage/run_store.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::RunInfo;
using ferlab::storage::RunStore;
using testing::HasSubstr;
using testing::Not;

namespace {

using Output = ferlab::testing_support::CommandOutput;

class RunsTables : public testing::Test {
 protected:
  // Experiment "exp": variant lr=0.1 swept over two folds, variant lr=0.2 once (and once
  // failed). Experiment "solo": one run.
  static void SetUpTestSuite() {
    temp_.emplace("runs-tables");
    dir_ = temp_->path();
    RunStore store(db());
    struct Test {
      const char* tta;
      const char* checkpoint;
      double accuracy, macro_f1;
    };
    auto add = [&](const char* experiment, const char* variant, std::optional<std::string> fold,
                   double val, std::vector<Test> tests, const char* status) {
      RunInfo info;
      info.experiment = experiment;
      info.variant = variant;
      info.seed = 1;
      info.fold = fold;
      const std::int64_t run = store.begin_run(info, {"a", "b"});
      store.record_epoch(
          run, {{1, "train", 1, 0.5, 0.5, 0.1, 10, 1}, {1, "val", 1, val - 0.1, 0.5, 0.1, 1, 1}});
      store.record_epoch(
          run, {{2, "train", 1, 0.5, 0.5, 0.1, 20, 1}, {2, "val", 1, val, 0.5, 0.1, 1, 1}});
      for (const Test& t : tests)
        store.record_evaluation(run, {"test",
                                      t.tta,
                                      t.checkpoint,
                                      {{"accuracy", t.accuracy}, {"macro_f1", t.macro_f1}},
                                      {},
                                      {}});
      store.finish_run(run, *ferlab::storage::parse_status(status),
                       status == std::string("failed") ? "out of memory" : "");
    };
    add("exp", "lr=0.1,fold=1/3", "1/3", 0.55,
        {{"none", "best", 0.5, 0.4}, {"ten-crop", "best", 0.6, 0.5}, {"none", "last", 0.3, 0.2}},
        "finished");
    add("exp", "lr=0.1,fold=2/3", "2/3", 0.75,
        {{"none", "best", 0.7, 0.6}, {"ten-crop", "best", 0.8, 0.9}, {"none", "last", 0.5, 0.4}},
        "finished");
    add("exp", "lr=0.2", std::nullopt, 0.85, {{"none", "best", 0.9, 0.8}}, "finished");
    add("exp", "lr=0.2", std::nullopt, 0.95, {}, "failed");
    add("solo", "", std::nullopt, 0.5, {{"none", "best", 0.25, 0.2}}, "finished");
    // Experiment "merged": two runs that ran on two machines (as a Slurm sweep's merged shards).
    add("merged", "lr=0.1", std::nullopt, 0.5, {{"none", "best", 0.5, 0.4}}, "finished");
    add("merged", "lr=0.2", std::nullopt, 0.6, {{"none", "best", 0.6, 0.5}}, "finished");
    ferlab::storage::Database d(db(), false);
    d.exec("UPDATE runs SET host = 'node-' || id WHERE id IN (6, 7)");
  }
  static void TearDownTestSuite() { temp_.reset(); }

  static std::string db() { return (dir_ / "runs.db").string(); }
  static Output ferlab(const std::string& args) {
    return ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " " + args + " --db " +
                                                db());
  }

  static inline std::optional<ferlab::testing_support::TempDir> temp_;
  static inline fs::path dir_;
};

}  // namespace

// Folds of one variant pool into one row: mean ± sample sd, as percentages with 2 decimals.
// lr=0.1 over its folds: test 0.5, 0.7 -> 60.00 ± 14.14 (sqrt(0.02) = 0.141421); ten-crop
// 0.6, 0.8 -> 70.00 ± 14.14; macro-F1 0.4, 0.6 -> 50.00 ± 14.14 and 0.5, 0.9 -> 70.00 ± 28.28;
// best val accuracy (the best epoch's, no final val metrics) 0.55, 0.75 -> 65.00 ± 14.14.
TEST_F(RunsTables, MarkdownRunsAndVariantsWithAndWithoutTta) {
  Output r = ferlab("runs --experiment exp --markdown");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("| run | experiment | variant | fold | seed | status | best val acc "
                               "% | test acc % (no TTA) | test acc % (ten-crop) | train time | "
                               "time |\n| ---: | --- | --- | --- | ---: | --- | ---: | ---: | "
                               "---: | ---: | ---: |\n"));
  EXPECT_THAT(r.out, HasSubstr("| 1 | exp | lr=0.1,fold=1/3 | 1/3 | 1 | finished | 55.00 | 50.00 "
                               "| 60.00 | 30s |"));
  EXPECT_THAT(r.out,
              HasSubstr("| 3 | exp | lr=0.2 | - | 1 | finished | 85.00 | 90.00 | - | 30s |"));
  EXPECT_THAT(r.out, HasSubstr("| 4 | exp | lr=0.2 | - | 1 | failed | 95.00 | - | - | 30s |"));
  EXPECT_THAT(r.out, HasSubstr("Per variant: mean ± sd over its runs that ended normally (seeds "
                               "× folds); test split, best checkpoint (selected on val), no TTA "
                               "and ten-crop."));
  EXPECT_THAT(r.out, HasSubstr("| experiment | variant | runs | test acc % (no TTA) | test acc % "
                               "(ten-crop) | test macro-F1 % (no TTA) | test macro-F1 % "
                               "(ten-crop) | best val acc % |\n| --- | --- | ---: | ---: | ---: "
                               "| ---: | ---: | ---: |\n"));
  EXPECT_THAT(r.out, HasSubstr("| exp | lr=0.1 | 2 | 60.00 ± 14.14 | 70.00 ± 14.14 | 50.00 ± "
                               "14.14 | 70.00 ± 28.28 | 65.00 ± 14.14 |\n"));
  // One finished run: no spread; the failed one is left out.
  EXPECT_THAT(r.out, HasSubstr("| exp | lr=0.2 | 1 | 90.00 | - | 80.00 | - | 85.00 |\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("solo")));
}

TEST_F(RunsTables, SelectorsPickTheCheckpointAndTheTtaMode) {
  // Last checkpoint: 0.3, 0.5 -> 40.00 ± 14.14; macro-F1 0.2, 0.4 -> 30.00 ± 14.14.
  Output last = ferlab("runs --experiment exp --markdown --checkpoint last");
  ASSERT_EQ(last.status, 0) << last.out;
  EXPECT_THAT(last.out, HasSubstr("| 2 | exp | lr=0.1,fold=2/3 | 2/3 | 1 | finished | 75.00 | "
                                  "50.00 | 30s |"));
  EXPECT_THAT(last.out, HasSubstr("test split, last checkpoint, no TTA."));
  EXPECT_THAT(last.out, HasSubstr("| runs | test acc % last | test macro-F1 % last | best val"));
  EXPECT_THAT(last.out, HasSubstr("| exp | lr=0.1 | 2 | 40.00 ± 14.14 | 30.00 ± 14.14 | 65.00 ± "
                                  "14.14 |\n"));
  Output ten_crop = ferlab("runs --experiment exp --markdown --tta ten-crop");
  ASSERT_EQ(ten_crop.status, 0) << ten_crop.out;
  EXPECT_THAT(ten_crop.out, HasSubstr("| exp | lr=0.1 | 2 | 70.00 ± 14.14 | 70.00 ± 28.28 | "
                                      "65.00 ± 14.14 |\n"));
  EXPECT_THAT(ten_crop.out, Not(HasSubstr("no TTA")));
  Output unknown = ferlab("runs --tta five-crop");
  EXPECT_NE(unknown.status, 0);
  EXPECT_THAT(unknown.out, HasSubstr("--tta five-crop: no run was tested with it at the best "
                                     "checkpoint (recorded: none, ten-crop)"));
  EXPECT_NE(ferlab("runs --checkpoint middle").status, 0);
}

TEST_F(RunsTables, PlainTextShowsVariantsOnlyWhenOneHasSeveralRuns) {
  Output r = ferlab("runs --experiment exp");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, testing::ContainsRegex("\n  1  exp +lr=0.1,fold=1/3  1/3 +1  finished +55.00 "
                                            "+50.00 +60.00 +30s"));
  EXPECT_THAT(r.out, HasSubstr("    error: out of memory\n"));
  EXPECT_THAT(r.out, testing::ContainsRegex("\nexp +lr=0.1 +2 +60.00 ± 14.14 +70.00 ± 14.14"));
  // One finished run per variant: the variant table would repeat the run rows.
  Output solo = ferlab("runs --experiment solo");
  ASSERT_EQ(solo.status, 0) << solo.out;
  EXPECT_THAT(solo.out, testing::ContainsRegex("solo +- +1  finished +50.00 +25.00"));
  EXPECT_THAT(solo.out, Not(HasSubstr("Per variant")));
}

// The host column appears when the runs listed come from more than one machine.
TEST_F(RunsTables, RunsFromSeveralHostsSayWhereEachRan) {
  Output merged = ferlab("runs --experiment merged");
  ASSERT_EQ(merged.status, 0) << merged.out;
  EXPECT_THAT(merged.out, testing::ContainsRegex("variant +host +seed"));
  EXPECT_THAT(merged.out, testing::ContainsRegex("\n  6  merged +lr=0.1 +node-6 +1  finished"));
  EXPECT_THAT(merged.out, testing::ContainsRegex("\n  7  merged +lr=0.2 +node-7 +1  finished"));
  Output one_host = ferlab("runs --experiment exp");
  EXPECT_THAT(one_host.out, Not(HasSubstr("host")));
}

TEST_F(RunsTables, ShowPrintsTheFoldOfARun) {
  Output fold = ferlab("show 2");
  ASSERT_EQ(fold.status, 0) << fold.out;
  EXPECT_THAT(fold.out, testing::ContainsRegex("variant +fold +seed"));
  EXPECT_THAT(fold.out, testing::ContainsRegex("lr=0.1,fold=2/3  2/3 +1  finished"));
  Output none = ferlab("show 3");
  ASSERT_EQ(none.status, 0) << none.out;
  EXPECT_THAT(none.out, Not(HasSubstr("fold")));
}
