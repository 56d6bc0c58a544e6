// Per-variant aggregation over seeds: mean, sample standard deviation and pooled confusion,
// against figures worked out by hand.
#include "storage/aggregate.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../support/temp_dir.hpp"
#include "storage/run_store.hpp"

namespace fs = std::filesystem;
using namespace ferlab::storage;

TEST(AggregateVariants, MeanSdAndPooledConfusionOfTheFinishedRuns) {
  const ferlab::testing_support::TempDir temp_dir("aggregate");
  const fs::path dir = temp_dir.path();
  RunStore store((dir / "runs.db").string());
  auto add = [&](const std::string& variant, const std::string& status, double accuracy,
                 std::vector<std::vector<std::int64_t>> confusion) {
    RunInfo info;
    info.experiment = "exp";
    info.variant = variant;
    std::int64_t run = store.begin_run(info, {"a", "b"});
    store.record_evaluation(
        run, {"test", "none", "best", {{"accuracy", accuracy}}, {}, std::move(confusion)});
    // Another checkpoint's figures must not mix in.
    store.record_evaluation(run,
                            {"test", "none", "last", {{"accuracy", 0.0}}, {}, {{9, 9}, {9, 9}}});
    store.finish_run(run, *parse_status(status));
  };
  add("A", "finished", 0.5, {{1, 1}, {0, 2}});
  add("A", "finished", 0.7, {{2, 0}, {1, 1}});
  add("A", "finished", 0.9, {{2, 0}, {0, 2}});
  add("A", "failed", 0.1, {{0, 2}, {2, 0}});  // not finished: left out
  add("B", "finished", 0.4, {{0, 1}, {0, 1}});

  std::vector<VariantAggregate> all = aggregate_variants(store.database(), "exp");
  ASSERT_EQ(all.size(), 2u);
  const VariantAggregate& a = all[0];
  EXPECT_EQ(a.variant, "A");
  EXPECT_EQ(a.runs, 3);
  ASSERT_EQ(a.metrics.size(), 1u);
  EXPECT_EQ(a.metrics[0].name, "accuracy");
  EXPECT_EQ(a.metrics[0].n, 3);
  EXPECT_NEAR(a.metrics[0].mean, 0.7, 1e-12);
  // sqrt(((0.5-0.7)^2 + 0 + (0.9-0.7)^2) / (3 - 1)) = sqrt(0.04) = 0.2
  EXPECT_NEAR(a.metrics[0].sd, 0.2, 1e-12);
  EXPECT_EQ(a.confusion, (std::vector<std::vector<std::int64_t>>{{5, 1}, {1, 5}}));
  const VariantAggregate& b = all[1];
  EXPECT_EQ(b.runs, 1);
  EXPECT_NEAR(b.metrics[0].mean, 0.4, 1e-12);
  EXPECT_EQ(b.metrics[0].sd, 0.0);
  EXPECT_EQ(b.confusion, (std::vector<std::vector<std::int64_t>>{{0, 1}, {0, 1}}));
  EXPECT_TRUE(aggregate_variants(store.database(), std::string("other")).empty());
  EXPECT_EQ(
      aggregate_variants(store.database(), std::nullopt, "test", "none", "last")[0].metrics[0].mean,
      0.0);
}

TEST(AggregateVariants, FoldsOfAVariantPoolAndBestValAccuracyIsSummarized) {
  const ferlab::testing_support::TempDir temp_dir("aggregate-folds");
  const fs::path dir = temp_dir.path();
  RunStore store((dir / "runs.db").string());
  auto add = [&](const std::string& variant, std::optional<std::string> fold, double test,
                 double val) {
    RunInfo info;
    info.experiment = "exp";
    info.variant = variant;
    info.fold = fold;
    std::int64_t run = store.begin_run(info, {"a", "b"});
    store.record_epoch(run, {{1, "val", 1, val, 0, 0, 0, 0}});
    store.record_evaluation(run, {"test", "none", "best", {{"accuracy", test}}, {}, {}});
    store.finish_run(run, RunStatus::finished);
  };
  add("fold=1/3,lr=0.1", "1/3", 0.5, 0.6);
  add("fold=2/3,lr=0.1", "2/3", 0.7, 0.8);
  add("fold=1/3,lr=0.2", "1/3", 0.4, 0.3);

  std::vector<VariantAggregate> all = aggregate_variants(store.database(), "exp");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].variant, "lr=0.1");
  EXPECT_EQ(all[0].runs, 2);
  // Test 0.5, 0.7: mean 0.6, sd sqrt((0.01 + 0.01) / 1) = 0.141421; val 0.6, 0.8 likewise.
  ASSERT_EQ(all[0].metrics.size(), 1u);
  EXPECT_NEAR(all[0].metrics[0].mean, 0.6, 1e-12);
  EXPECT_NEAR(all[0].metrics[0].sd, 0.1414213562, 1e-9);
  EXPECT_EQ(all[0].best_val_accuracy.n, 2);
  EXPECT_NEAR(all[0].best_val_accuracy.mean, 0.7, 1e-12);
  EXPECT_NEAR(all[0].best_val_accuracy.sd, 0.1414213562, 1e-9);
  EXPECT_EQ(all[1].variant, "lr=0.2");
  EXPECT_EQ(all[1].runs, 1);
  EXPECT_NEAR(all[1].best_val_accuracy.mean, 0.3, 1e-12);
}

TEST(AggregateVariants, TheFoldIsTakenOutOfTheVariantLabelAsAWholeComponent) {
  EXPECT_EQ(variant_over_folds("backbone=vgg,fold=3/10", "3/10"), "backbone=vgg");
  EXPECT_EQ(variant_over_folds("fold=3/10,backbone=vgg", "3/10"), "backbone=vgg");
  EXPECT_EQ(variant_over_folds("a=1,fold=3/10,b=2", "3/10"), "a=1,b=2");
  EXPECT_EQ(variant_over_folds("fold=3/10", "3/10"), "");
  // Not the run's fold, or only part of a longer component: left as it is.
  EXPECT_EQ(variant_over_folds("fold=3/10", "3/1"), "fold=3/10");
  EXPECT_EQ(variant_over_folds("fold=13/10", "3/10"), "fold=13/10");
  EXPECT_EQ(variant_over_folds("prefold=3/10", "3/10"), "prefold=3/10");
  EXPECT_EQ(variant_over_folds("backbone=vgg", "3/10"), "backbone=vgg");
  EXPECT_EQ(variant_over_folds("fold=3/10", std::nullopt), "fold=3/10");
}
