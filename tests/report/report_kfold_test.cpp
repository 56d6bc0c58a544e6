// The report of k-fold runs: the folds of a variant are one variant (mean and spread over
// folds, one confusion matrix over every test fold), and two variants are compared on the
// union of their test folds; every figure worked out by hand from what the fixture stores.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "../support/temp_dir.hpp"
#include "report/report.hpp"
#include "storage/run_store.hpp"

namespace fs = std::filesystem;
using namespace ferlab;
using testing::HasSubstr;
using testing::Not;

namespace {

constexpr int folds = 3, per_fold = 6;  // samples s00..s17, fold f (1-based) tests 6(f-1)..

// Fold `fold`'s test predictions: sample i has true class i % 2; right on the samples in `right`.
storage::PredictionSet fold_predictions(int fold, const std::set<int>& right) {
  storage::PredictionSet set{"test", "none", "best", {}};
  for (int i = (fold - 1) * per_fold; i < fold * per_fold; ++i) {
    const int truth = i % 2, predicted = right.count(i) ? truth : 1 - truth;
    set.rows.push_back(
        {fmt::format("s{:02}", i), truth, predicted,
         predicted ? std::vector<float>{0.3f, 0.7f} : std::vector<float>{0.6f, 0.4f}});
  }
  return set;
}

class ReportKFoldTest : public testing::Test {
 protected:
  void SetUp() override {
    storage::RunStore store(db());
    // tuned: right on every sample but s00 (17 of 18); scratch: right on s00..s08 (9 of 18).
    // Only tuned right: s09..s17 (9); only scratch right: s00 (1). McNemar: 2 * 11 / 2^10.
    std::set<int> tuned, scratch;
    for (int i = 1; i < folds * per_fold; ++i) tuned.insert(i);
    for (int i = 0; i <= 8; ++i) scratch.insert(i);
    for (int fold = 1; fold <= folds; ++fold) {
      add_fold(store, "tuned", fold, 0.9, fold_predictions(fold, tuned));
      add_fold(store, "scratch", fold, 0.6, fold_predictions(fold, scratch));
    }
  }

  static void add_fold(storage::RunStore& store, const std::string& init, int fold, double val,
                       const storage::PredictionSet& test) {
    storage::RunInfo info;
    info.experiment = "kfold";
    info.fold = fmt::format("{}/{}", fold, folds);
    info.variant = fmt::format("init={},fold={}", init, *info.fold);
    info.seed = 1;
    info.params = {{"model.init", init}, {"dataset.fold", *info.fold}};
    const std::int64_t run = store.begin_run(info, {"a", "b"});
    storage::Evaluation v, t;
    v.split = "val";
    v.metrics = {{"accuracy", val}};
    store.record_evaluation(run, v);
    t.split = "test";
    t.confusion.assign(2, std::vector<std::int64_t>(2, 0));
    double right = 0;
    for (const storage::Prediction& p : test.rows) {
      ++t.confusion[p.true_class][p.predicted_class];
      right += p.true_class == p.predicted_class;
    }
    t.metrics = {{"accuracy", right / static_cast<double>(test.rows.size())}};
    store.record_evaluation(run, t);
    store.record_predictions(run, test);
    store.finish_run(run, storage::RunStatus::finished);
  }
  std::string db() const { return (dir_ / "runs.db").string(); }
  std::string page() {
    const std::string out = (dir_ / "report.html").string();
    report::write_report(db(), "kfold", {}, out);
    std::ifstream in(out);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  ferlab::testing_support::TempDir temp_{"report-kfold"};
  const fs::path dir_ = temp_.path();
};

}  // namespace

TEST_F(ReportKFoldTest, FoldsAreOneVariantWithMeanAndSpreadOverFolds) {
  const std::string html = page();
  EXPECT_THAT(html, HasSubstr("data-variant=\"init=tuned\""));
  EXPECT_THAT(html, HasSubstr("data-variant=\"init=scratch\""));
  EXPECT_THAT(html, Not(HasSubstr("fold=2/3\"")));
  // tuned's folds: 5/6, 6/6, 6/6 -> 0.9444 +- 0.0962; scratch's: 6/6, 3/6, 0/6 -> 0.5 +- 0.5.
  EXPECT_THAT(html, HasSubstr("0.9444 \u00b1 0.0962"));
  EXPECT_THAT(html, HasSubstr("0.5000 \u00b1 0.5000"));
  EXPECT_THAT(html, HasSubstr("Best variant: <b>init=tuned</b>"));
}

TEST_F(ReportKFoldTest, OneConfusionMatrixOverEveryTestFold) {
  const std::string html = page();
  EXPECT_THAT(html, HasSubstr("3 runs pooled: 3 folds x 1 seed(s), every test fold"));
  // tuned pooled: class a (9 samples) has 8 right, class b all 9: recall 0.8889 and 1.
  EXPECT_THAT(html, HasSubstr("0.8889"));
}

TEST_F(ReportKFoldTest, VariantsArePairedOnTheUnionOfTheirTestFolds) {
  const std::string html = page();
  EXPECT_THAT(html, HasSubstr("init=tuned beats init=scratch on test accuracy (0.9444 vs 0.5000), "
                              "p = 0.021"));
  EXPECT_THAT(html, HasSubstr("McNemar&#39;s exact test"));
  EXPECT_THAT(html, Not(HasSubstr("no finished run with stored test predictions")));
}
