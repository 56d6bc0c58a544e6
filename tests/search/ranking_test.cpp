// Trials compared at an epoch budget: each run's best value within its first epochs, averaged
// over the trial's runs; NaN never wins.
#include "search/ranking.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "search/halving.hpp"

using namespace ferlab::search;

namespace {
const double not_a_number = std::nan("");
}

TEST(Ranking, BestWithinLooksOnlyAtTheFirstEpochs) {
  const std::vector<double> accuracy = {0.30, 0.50, 0.45, 0.70};
  EXPECT_DOUBLE_EQ(best_within(accuracy, 1, Goal::maximize), 0.30);
  EXPECT_DOUBLE_EQ(best_within(accuracy, 3, Goal::maximize), 0.50);
  EXPECT_DOUBLE_EQ(best_within(accuracy, 0, Goal::maximize), 0.70);   // every epoch
  EXPECT_DOUBLE_EQ(best_within(accuracy, 99, Goal::maximize), 0.70);  // past the end
  const std::vector<double> loss = {2.0, 1.2, not_a_number, 1.5};
  EXPECT_DOUBLE_EQ(best_within(loss, 4, Goal::minimize), 1.2);
  EXPECT_TRUE(std::isnan(best_within({not_a_number, not_a_number}, 2, Goal::maximize)));
  EXPECT_TRUE(std::isnan(best_within({}, 2, Goal::maximize)));
}

TEST(Ranking, ATrialsScoreIsTheMeanOverItsRunsAndNanRanksLast) {
  EXPECT_DOUBLE_EQ(trial_score({{0.2, 0.6}, {0.4, 0.3}}, 2, Goal::maximize), (0.6 + 0.4) / 2);
  EXPECT_DOUBLE_EQ(trial_score({{0.2, 0.6}, {0.4, 0.3}}, 1, Goal::maximize), (0.2 + 0.4) / 2);
  EXPECT_TRUE(std::isnan(trial_score({{0.5}, {}}, 1, Goal::maximize)));
  // Promotion keeps the highest: a loss of 0.9 beats 1.1, and NaN loses to both.
  const std::vector<std::pair<int, double>> losses = {
      {0, as_higher_is_better(1.1, Goal::minimize)},
      {1, as_higher_is_better(not_a_number, Goal::minimize)},
      {2, as_higher_is_better(0.9, Goal::minimize)}};
  EXPECT_EQ(promoted(losses, 3), (std::vector<int>{2, 0, 1}));
}

TEST(Ranking, TheSearchedKeysAreThoseThatDifferBetweenTrials) {
  const std::vector<std::map<std::string, std::string>> trials = {
      {{"train.lr", "0.1"}, {"train.batch", "8"}, {"search.trial", "0"}, {"seeds", "[1]"}},
      {{"train.lr", "0.01"}, {"train.batch", "8"}, {"search.trial", "1"}, {"seeds", "[2]"}}};
  EXPECT_EQ(varying_keys(trials), std::vector<std::string>{"train.lr"});
}
