// Search spaces: drawing is reproducible, each distribution's draws fit it (Kolmogorov-Smirnov
// and chi-square tests at the 0.001 level, fixed seeds), Sobol points spread more evenly than
// random ones; successive halving keeps exactly the best of each rung.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "search/halving.hpp"
#include "search/space.hpp"

using namespace ferlab::search;

namespace {

// The largest gap between the empirical CDF of `x` and the uniform one on [0, 1).
double ks_uniform(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  double d = 0;
  const double n = static_cast<double>(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) d = std::max({d, (i + 1) / n - x[i], x[i] - i / n});
  return d;
}

// Pearson's statistic of counts against equal expected counts.
double chi_square(const std::vector<int>& counts) {
  double total = 0;
  for (int c : counts) total += c;
  const double expected = total / counts.size();
  double chi = 0;
  for (int c : counts) chi += (c - expected) * (c - expected) / expected;
  return chi;
}

std::vector<double> numbers(const Dimension& d, Sampler sampler, std::size_t n) {
  std::vector<double> out;
  for (const auto& p : unit_points(n, 1, sampler, 7)) out.push_back(d.number_at(p[0]));
  return out;
}

const Sampler samplers[] = {Sampler::random, Sampler::sobol};
constexpr std::size_t draws = 10000;
const double ks_critical = 1.95 / std::sqrt(static_cast<double>(draws));  // alpha 0.001

TEST(SearchSpace, TheSameSeedDrawsTheSameTrialsAndMoreTrialsKeepTheFirst) {
  const std::vector<Dimension> space{
      {"train.optimizer.lr", Dimension::Kind::loguniform, 1e-4, 1e-1, {}},
      {"train.batch", Dimension::Kind::choice, 0, 0, {"32", "64", "128"}}};
  for (Sampler s : samplers) {
    const auto a = draw_trials(space, 12, s, 3), b = draw_trials(space, 12, s, 3);
    const auto longer = draw_trials(space, 20, s, 3), other = draw_trials(space, 12, s, 4);
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].overrides, b[i].overrides);
      EXPECT_EQ(a[i].overrides, longer[i].overrides);
    }
    int same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i].overrides == other[i].overrides;
    EXPECT_LT(same, 3) << "another seed should draw other trials";
    EXPECT_EQ(a[0].overrides[0].first, "train.optimizer.lr");
  }
}

TEST(SearchSpace, UniformAndLogUniformDrawsFitTheirDistributions) {
  const Dimension uniform{"model.backbone.dropout", Dimension::Kind::uniform, 0.1, 0.6, {}};
  const Dimension log{"train.optimizer.lr", Dimension::Kind::loguniform, 1e-4, 1e-1, {}};
  for (Sampler s : samplers) {
    std::vector<double> u, l;
    for (double x : numbers(uniform, s, draws)) u.push_back((x - 0.1) / 0.5);
    for (double x : numbers(log, s, draws))
      l.push_back((std::log(x) - std::log(1e-4)) / std::log(1e3));
    EXPECT_LT(ks_uniform(u), ks_critical);
    EXPECT_LT(ks_uniform(l), ks_critical);
    EXPECT_GE(*std::min_element(u.begin(), u.end()), 0.0);
    EXPECT_LT(*std::max_element(u.begin(), u.end()), 1.0);
  }
}

TEST(SearchSpace, IntegerAndChoiceDrawsAreEquallyLikely) {
  const Dimension integer{"train.epochs", Dimension::Kind::integer, 3, 8, {}};
  const Dimension choice{"train.batch", Dimension::Kind::choice, 0, 0, {"32", "64", "128"}};
  for (Sampler s : samplers) {
    std::vector<int> by_value(6), by_choice(3);
    for (double x : numbers(integer, s, draws)) ++by_value.at(static_cast<int>(x) - 3);
    for (double x : numbers(choice, s, draws)) ++by_choice.at(static_cast<int>(x));
    EXPECT_LT(chi_square(by_value), 20.52);   // 5 degrees of freedom, alpha 0.001
    EXPECT_LT(chi_square(by_choice), 13.82);  // 2 degrees of freedom
  }
  EXPECT_EQ(choice.value_at(0.99), "128");
  EXPECT_EQ(integer.value_at(0.0), "3");
  EXPECT_EQ(integer.value_at(0.999), "8");
}

// 1,024 points: Sobol's largest CDF gap stays near 1/1024 in every dimension; random points'
// is about 0.03.
TEST(SearchSpace, SobolPointsSpreadMoreEvenlyThanRandomOnes) {
  const auto sobol = unit_points(1024, 5, Sampler::sobol, 11);
  const auto random = unit_points(1024, 5, Sampler::random, 11);
  for (std::size_t d = 0; d < 5; ++d) {
    std::vector<double> s, r;
    for (std::size_t i = 0; i < 1024; ++i) s.push_back(sobol[i][d]), r.push_back(random[i][d]);
    EXPECT_LT(ks_uniform(s), 3.0 / 1024) << "dimension " << d;
    EXPECT_GT(ks_uniform(r), ks_uniform(s)) << "dimension " << d;
  }
}

// 27 trials, eta 3, 1 to 27 epochs: 27 x 1, 9 to 3, 3 to 9, 1 to 27 (worked by hand):
// 27 + 9 x 2 + 3 x 6 + 1 x 18 = 81 epochs in all.
TEST(Halving, RungsAndTotalEpochsFollowTheSchedule) {
  const auto rungs = halving_rungs(27, 3, 1, 27);
  ASSERT_EQ(rungs.size(), 4u);
  EXPECT_EQ(rungs[1].epochs, 3);
  EXPECT_EQ(rungs[1].trials, 9);
  EXPECT_EQ(rungs[3].epochs, 27);
  EXPECT_EQ(rungs[3].trials, 1);
  EXPECT_EQ(total_epochs(rungs), 81);
  // Capped: 10 trials, eta 2, 2 to 10 epochs: 10 x 2, 5 x 4, 3 x 8, 2 x 10 (the cap).
  const auto capped = halving_rungs(10, 2, 2, 10);
  ASSERT_EQ(capped.size(), 4u);
  EXPECT_EQ(capped.back().epochs, 10);
  EXPECT_EQ(capped.back().trials, 2);
  EXPECT_EQ(total_epochs(capped), 10 * 2 + 5 * 2 + 3 * 4 + 2 * 2);
  // Down to one trial before the cap: it trains on to max_epochs (fer2013-search.yaml's 27
  // trials, 1 to 65 epochs): 27 x 1, 9 to 3, 3 to 9, 1 to 65 = 27 + 18 + 18 + 56 = 119.
  const auto early = halving_rungs(27, 3, 1, 65);
  ASSERT_EQ(early.size(), 4u);
  EXPECT_EQ(early.back().epochs, 65);
  EXPECT_EQ(early.back().trials, 1);
  EXPECT_EQ(total_epochs(early), 119);
  EXPECT_THROW(halving_rungs(8, 1, 1, 8), std::invalid_argument);
}

// A synthetic objective whose ranking is known: trial i scores -(i - 13)^2, plus a rung's
// noise that never reorders it. Each rung keeps exactly its best 1/eta, and trial 13 wins.
TEST(Halving, EachRungPromotesExactlyItsBestTrials) {
  const auto rungs = halving_rungs(27, 3, 1, 27);
  std::vector<int> alive(27);
  for (int i = 0; i < 27; ++i) alive[i] = i;
  for (std::size_t k = 0; k + 1 < rungs.size(); ++k) {
    std::vector<std::pair<int, double>> scores;
    for (int t : alive) scores.emplace_back(t, -(t - 13.0) * (t - 13.0) + 0.01 * k);
    const std::vector<int> kept = promoted(scores, rungs[k + 1].trials);
    std::vector<int> expected = alive;
    std::sort(expected.begin(), expected.end(), [](int a, int b) {
      const int da = std::abs(a - 13), db = std::abs(b - 13);
      return da != db ? da < db : a < b;
    });
    expected.resize(rungs[k + 1].trials);
    EXPECT_EQ(kept, expected) << "rung " << k;
    alive = kept;
  }
  EXPECT_EQ(alive, std::vector<int>{13});
}

}  // namespace
