// The report page of a hand-built run database: every figure checked against values worked out
// by hand from what the fixture stores.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "../support/temp_dir.hpp"
#include "report/report.hpp"
#include "storage/run_store.hpp"

namespace fs = std::filesystem;
using namespace ferlab;
using testing::HasSubstr;
using testing::Not;

namespace {

// Two classes; sample i has true class i % 2. A run is right on the samples in `right`.
storage::PredictionSet predictions(const std::vector<int>& right) {
  storage::PredictionSet set{"test", "none", "best", {}};
  for (int i = 0; i < 20; ++i) {
    int truth = i % 2;
    bool ok = std::find(right.begin(), right.end(), i) != right.end();
    int predicted = ok ? truth : 1 - truth;
    set.rows.push_back(
        {fmt::format("s{:02}", i), truth, predicted,
         predicted ? std::vector<float>{0.2f, 0.8f} : std::vector<float>{0.7f, 0.3f}});
  }
  return set;
}

std::vector<int> range(int from, int to) {
  std::vector<int> out;
  for (int i = from; i <= to; ++i) out.push_back(i);
  return out;
}

class ReportPageTest : public testing::Test {
 protected:
  void SetUp() override {
    storage::RunStore store(db());
    // alpha: right on 18 of 20 (wrong on s00, s01); beta: right on s00 and s02..s10 (10).
    // Only alpha right: s11..s19 (9); only beta right: s00 (1). McNemar: 2 * (1 + 10) / 2^10.
    std::int64_t alpha = add_run(store, "alpha", 1, 0.85, 0.9, {{9, 1}, {1, 9}});
    store.record_predictions(alpha, predictions(range(2, 19)));
    store.record_epoch(alpha, {{1, "train", 1.2, 0.6, 0.5, 0.01, 1, 100},
                               {1, "val", 1.1, 0.7, 0.6, 0.01, 1, 100},
                               {2, "train", 0.8, 0.8, 0.7, 0.01, 1, 120},
                               {2, "val", 0.9, 0.85, 0.8, 0.01, 1, 120}});
    storage::Artifact image;
    image.kind = "misclassified";
    image.name = "s01";
    image.mime = "image/png";
    image.data = "PNGDATA";
    image.caption = "true b, predicted a (0.70)";
    store.record_artifact(alpha, image);
    store.finish_run(alpha, storage::RunStatus::finished);
    std::vector<int> beta_right = range(2, 10);
    beta_right.push_back(0);
    std::int64_t beta = add_run(store, "beta", 1, 0.6, 0.5, {{6, 4}, {6, 4}});
    store.record_predictions(beta, predictions(beta_right));
    store.finish_run(beta, storage::RunStatus::finished);
    // delta: two seeds, no predictions: test accuracy 0.5 and 0.7 -> 0.6 +- 0.1414.
    store.finish_run(add_run(store, "delta", 1, 0.55, 0.5, {{5, 5}, {5, 5}}),
                     storage::RunStatus::finished);
    store.finish_run(add_run(store, "delta", 2, 0.55, 0.7, {{7, 3}, {3, 7}}),
                     storage::RunStatus::finished);
    std::int64_t gamma = store.begin_run(info("gamma", 1), {"a", "b"});
    store.finish_run(gamma, storage::RunStatus::failed, "out of memory in layer c1");
    // epsilon: unbalanced classes (16 a, 4 b), accuracy 15/20 = 0.75 but balanced accuracy
    // (14/16 + 1/4) / 2 = 0.5625.
    store.finish_run(add_run(store, "epsilon", 1, 0.6, 0.75, {{14, 2}, {3, 1}}),
                     storage::RunStatus::finished);
  }

  static storage::RunInfo info(const std::string& variant, std::int64_t seed) {
    storage::RunInfo i;
    i.experiment = "cmp";
    i.variant = variant;
    i.seed = seed;
    i.params = {{"model.backbone.plugin", variant}, {"train.epochs", "2"}};
    return i;
  }
  static std::int64_t add_run(storage::RunStore& store, const std::string& variant,
                              std::int64_t seed, double val, double test,
                              const std::vector<std::vector<std::int64_t>>& confusion) {
    std::int64_t run = store.begin_run(info(variant, seed), {"a", "b"});
    for (const auto& [split, accuracy] : {std::pair{"val", val}, std::pair{"test", test}}) {
      storage::Evaluation e;
      e.split = split;
      e.metrics = {{"accuracy", accuracy}};
      e.confusion = confusion;
      store.record_evaluation(run, e);
    }
    return run;
  }
  std::string db() const { return (dir_ / "runs.db").string(); }
  std::string page(const std::optional<std::string>& experiment,
                   const std::vector<std::int64_t>& runs = {}) {
    std::string out = (dir_ / "report.html").string();
    report::write_report(db(), experiment, runs, out);
    std::ifstream in(out);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  ferlab::testing_support::TempDir temp_{"report"};
  const fs::path dir_ = temp_.path();
};

}  // namespace

TEST_F(ReportPageTest, ComparesTheBestVariantWithAnExactMcNemarTest) {
  std::string html = page("cmp");
  // alpha has the best validation accuracy; p = 22 / 1024 = 0.0215, one comparison (Holm = p).
  EXPECT_THAT(html, HasSubstr("alpha beats beta on test accuracy (0.9000 vs 0.5000), p = 0.021"));
  EXPECT_THAT(html, HasSubstr("McNemar&#39;s exact test"));
  EXPECT_THAT(html, HasSubstr("delta: no finished run with stored test predictions"));
  EXPECT_THAT(html, HasSubstr("gamma: no finished run with stored test predictions"));
}

TEST_F(ReportPageTest, ShowsMeanAndSpreadOverSeedsAndMarksTheBest) {
  std::string html = page("cmp");
  EXPECT_THAT(html, HasSubstr("0.6000 \u00b1 0.1414"));  // delta, test accuracy
  EXPECT_THAT(html, HasSubstr("<td data-value=\"0.9\" class=\"best\">0.9000"));  // alpha
  // alpha's balanced accuracy from its confusion matrix: (9/10 + 9/10) / 2.
  EXPECT_THAT(html, HasSubstr("<td data-value=\"0.9\" class=\"best\">0.9000<span class=\"ci\">"));
  // epsilon's differs from its accuracy: computed from the matrix, not copied.
  EXPECT_THAT(html, HasSubstr("<td data-value=\"0.75\""));
  EXPECT_THAT(html, HasSubstr("<td data-value=\"0.5625\""));
  // alpha's accuracy interval: resamples of its 20 predictions (18 right) count X ~ Bin(20,
  // 0.9) right; P(X <= 14) = 1.1% and P(X <= 15) = 4.3% put the 2.5% percentile at 15/20,
  // and P(X = 20) = 12% the 97.5% one at 20/20, for any bootstrap seed.
  EXPECT_THAT(html, HasSubstr("0.9000<span class=\"ci\">95% CI [0.7500, 1.0000]</span>"));
}

TEST_F(ReportPageTest, ShowsAFailedRunWithItsError) {
  std::string html = page("cmp");
  EXPECT_THAT(html, HasSubstr("<tr class=\"status-failed\" data-run=\"5\">"));
  EXPECT_THAT(html, HasSubstr("is <b>failed</b>: out of memory in layer c1"));
}

TEST_F(ReportPageTest, ConfusionMatricesAndPerClassFiguresFromTheStoredCounts) {
  std::string html = page("cmp");
  // delta pooled over its two seeds: [[12, 8], [8, 12]]; precision and recall of a: 12/20.
  EXPECT_THAT(html, HasSubstr("data-variant=\"delta\" data-split=\"test\"><h3>delta \u2014 test "
                              "split (2 runs pooled)"));
  EXPECT_THAT(html, HasSubstr(">12</text>"));
  EXPECT_THAT(html, HasSubstr("<tr><th>a</th><td>0.6000</td><td>0.6000</td><td>0.6000</td>"
                              "<td>20</td></tr>"));
}

TEST_F(ReportPageTest, InlinesStoredImagesAsDataUris) {
  std::string html = page("cmp");
  EXPECT_THAT(html, HasSubstr("src=\"data:image/png;base64,UE5HREFUQQ==\""));
  EXPECT_THAT(html, HasSubstr("true b, predicted a (0.70)"));
  EXPECT_THAT(html, Not(HasSubstr("src=\"http")));  // nothing loaded from the network
}

TEST_F(ReportPageTest, ASingleRunGetsThePageWithoutComparisonParts) {
  std::string html = page(std::nullopt, {1});
  EXPECT_THAT(html, Not(HasSubstr("id=\"significance\"")));
  EXPECT_THAT(html, HasSubstr("<section id=\"comparison\"><h2>Results</h2>"));
  EXPECT_THAT(html, HasSubstr("id=\"curve-val-accuracy\""));
  // Results first: the figures, curves and matrices come before the runs and the
  // specification, whose parameters (one variant: nothing differs) are folded away.
  const auto at = [&html](const std::string& text) { return html.find(text); };
  ASSERT_NE(at("<section id=\"setup\">"), std::string::npos);
  EXPECT_LT(at("<section id=\"comparison\">"), at("<section id=\"setup\">"));
  EXPECT_LT(at("<section id=\"curves\">"), at("<section id=\"setup\">"));
  EXPECT_LT(at("<details id=\"spec-folded\">"), at("id=\"spec-params\""));
  EXPECT_GT(at("<details id=\"spec-folded\">"), at("<section id=\"setup\">"));
}

TEST_F(ReportPageTest, UnknownExperimentOrRunIsAnErrorNamingTheDatabase) {
  try {
    page("nope");
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr(db() + ": there is no experiment 'nope'"));
  }
  try {
    page(std::nullopt, {42});
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr(db() + ": there is no run 42"));
  }
}
