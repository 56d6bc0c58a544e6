// A spec's search: block: its trials become runs (a variant each, once per seed) holding the
// values drawn for them, reproducibly; every mistake in the block is reported at its line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "../support/fixture_catalog.hpp"
#include "spec/spec_loader.hpp"

using namespace ferlab;
using testing::ElementsAre;
using testing::HasSubstr;
using testing_support::fixture_catalog;

namespace {

const std::string base = R"(name: demo
seeds: [1, 2]
dataset: {plugin: fixture-dataset, per_class: 2}
model:
  backbone: {plugin: fixture-net, width: 16}
train:
  epochs: 9
  optimizer: {name: sgd, lr: 0.1}
)";

const std::string block = R"(search:
  sampler: sobol
  trials: 8
  seed: 5
  space:
    train.optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}
    train.label_smoothing: {uniform: [0, 0.2]}
    train.batch: {int: [16, 64]}
    model.backbone:
      choice: [{plugin: fixture-net, width: 4}, {plugin: fixture-net, activation: elu}]
)";

spec::LoadedSpec load(const std::string& text, std::vector<std::string> overrides = {}) {
  return spec::load_spec_text(text, "search.yaml", overrides, fixture_catalog());
}

std::vector<std::string> problems(const std::string& block) {
  std::vector<std::string> out;
  const spec::LoadedSpec loaded = load(base + block);
  for (const auto& p : loaded.problems.all()) out.push_back(p.text());
  return out;
}

}  // namespace

TEST(SearchBlock, TrialsAreVariantsOncePerSeedHoldingTheirDrawnValues) {
  spec::LoadedSpec s = load(base + block);
  ASSERT_TRUE(s.problems.empty()) << s.problems.all()[0].text();
  ASSERT_TRUE(s.search);
  EXPECT_EQ(s.search->trials, 8u);
  ASSERT_EQ(s.runs.size(), 8u * 2);
  std::set<double> rates;
  int elu = 0;
  for (std::size_t i = 0; i < s.runs.size(); ++i) {
    const spec::RunSpec& run = s.runs[i];
    EXPECT_EQ(run.trial, static_cast<int>(i / 2));
    EXPECT_EQ(run.variant, "trial=" + std::to_string(i / 2));
    EXPECT_EQ(run.seed, i % 2 ? 2 : 1);
    EXPECT_GE(run.train.optimizer.lr, 1e-4);
    EXPECT_LT(run.train.optimizer.lr, 1e-1);
    EXPECT_GE(run.train.label_smoothing, 0);
    EXPECT_LT(run.train.label_smoothing, 0.2);
    EXPECT_GE(run.train.batch, 16);
    EXPECT_LE(run.train.batch, 64);
    if (i % 2) {  // both seeds of a trial train the same configuration
      EXPECT_EQ(run.train.optimizer.lr, s.runs[i - 1].train.optimizer.lr);
      EXPECT_EQ(run.backbone->params.integer("width"),
                s.runs[i - 1].backbone->params.integer("width"));
    }
    rates.insert(run.train.optimizer.lr);
    // A choice replaces the whole call: width 4, or the default width with elu.
    const bool is_elu = run.backbone->params.text("activation") == "elu";
    elu += is_elu;
    EXPECT_EQ(run.backbone->params.integer("width"), is_elu ? 8 : 4);
  }
  EXPECT_EQ(rates.size(), 8u);  // one rate per trial
  EXPECT_GT(elu, 0);            // both options are drawn
  EXPECT_LT(elu, 16);
}

TEST(SearchBlock, TheSeedFixesTheTrialsAndMoreTrialsKeepTheFirst) {
  const auto rates = [](const spec::LoadedSpec& s) {
    std::vector<double> out;
    for (const spec::RunSpec& run : s.runs) out.push_back(run.train.optimizer.lr);
    return out;
  };
  const std::vector<double> first = rates(load(base + block));
  EXPECT_EQ(rates(load(base + block)), first);
  std::vector<double> more = rates(load(base + block, {"search.trials=12"}));
  ASSERT_EQ(more.size(), 24u);
  more.resize(first.size());
  EXPECT_EQ(more, first);
  EXPECT_NE(rates(load(base + block, {"search.seed=6"})), first);
}

TEST(SearchBlock, ATrialsResolvedSpecRunsAloneWithItsValues) {
  spec::LoadedSpec s = load(base + block);
  ASSERT_TRUE(s.problems.empty());
  const spec::RunSpec& trial = s.runs[5];
  EXPECT_THAT(trial.resolved_yaml, testing::Not(HasSubstr("search")));
  spec::LoadedSpec again = load(trial.resolved_yaml);
  ASSERT_TRUE(again.problems.empty()) << again.problems.all()[0].text();
  ASSERT_EQ(again.runs.size(), 1u);
  EXPECT_EQ(again.runs[0].resolved_yaml, trial.resolved_yaml);
  EXPECT_EQ(again.runs[0].train.optimizer.lr, trial.train.optimizer.lr);
}

TEST(SearchBlock, MistakesAreReportedAtTheirLines) {
  // The block starts at line 9 of the spec (after the 8 lines of `base`).
  EXPECT_THAT(problems("search: {trials: 3, mthod: random, space: {train.batch: {int: [1, 4]}}}\n"),
              ElementsAre(HasSubstr("search.yaml:9:21: search.mthod: unknown key 'mthod' (did you "
                                    "mean 'method'?)")));
  EXPECT_THAT(problems("search:\n  space: {train.batch: {int: [1, 4]}}\n"),
              ElementsAre(HasSubstr("search.trials: missing: how many trials to draw")));
  EXPECT_THAT(problems("search:\n  trials: 2\n  space:\n    train.optimizer.lr: {loguniform: [0, "
                       "1]}\n"),
              ElementsAre(HasSubstr("search.yaml:12:38: search.space.train.optimizer.lr: "
                                    "loguniform: expected [low, high] with low < high and low > "
                                    "0")));
  EXPECT_THAT(problems("search:\n  trials: 2\n  space:\n    train.batch: {normal: [1, 2]}\n"),
              ElementsAre(HasSubstr("unknown distribution 'normal'")));
  EXPECT_THAT(problems("search:\n  trials: 2\n  space:\n    train.optimiser.lr: {uniform: [0, "
                       "1]}\n"),
              ElementsAre(HasSubstr("search.yaml:12:5: train.optimiser: search key names unknown "
                                    "key 'optimiser' (did you mean 'optimizer'?)")));
  EXPECT_THAT(problems("search:\n  trials: 2\n  method: grid\n  space: {train.batch: {int: [1, "
                       "4]}}\n"),
              ElementsAre(HasSubstr("search.method: expected one of: random, halving")));
  // A value drawn that the schema refuses is reported as any value would be.
  EXPECT_THAT(problems("search:\n  trials: 4\n  space: {train.batch: {int: [-3, -1]}}\n"),
              testing::Contains(HasSubstr("train.batch")));
  EXPECT_THAT(problems("sweep: {train.batch: [8, 16]}\nsearch:\n  trials: 2\n  space: "
                       "{train.batch: {int: [1, 4]}}\n"),
              ElementsAre(HasSubstr("a spec has a sweep or a search, not both")));
}

TEST(SearchBlock, HalvingNeedsOneScheduleLengthAndAFirstRungWithinIt) {
  const std::string halving =
      "search:\n  method: halving\n  trials: 4\n  min_epochs: 2\n  space:\n";
  spec::LoadedSpec ok = load(base + halving + "    train.batch: {int: [8, 16]}\n");
  ASSERT_TRUE(ok.problems.empty()) << ok.problems.all()[0].text();
  EXPECT_EQ(ok.search->method, spec::SearchPlan::Method::halving);
  EXPECT_EQ(ok.search->min_epochs, 2);
  EXPECT_EQ(ok.search->eta, 3);
  EXPECT_THAT(problems(halving + "    train.epochs: {int: [2, 9]}\n"),
              ElementsAre(HasSubstr("do not search train.epochs")));
  EXPECT_THAT(problems("search:\n  method: halving\n  trials: 4\n  min_epochs: 10\n  space: "
                       "{train.batch: {int: [8, 16]}}\n"),
              ElementsAre(HasSubstr("the first rung's 10 epochs exceed train.epochs (9)")));
}
