// The report's statistics against textbook and hand-computed values.
#include "report/statistics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

using namespace ferlab::report;
using testing::HasSubstr;

TEST(Statistics, MeanAndSampleStandardDeviation) {
  // The textbook set 2,4,4,4,5,5,7,9: mean 5, squared deviations sum to 32, 32 / 7 -> 2.1381.
  MeanStd m = mean_std({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(m.mean, 5.0);
  EXPECT_NEAR(m.std, 2.13808994, 1e-8);
  EXPECT_EQ(m.n, 8);
  EXPECT_EQ(mean_std({0.75}).std, 0.0);
  EXPECT_EQ(mean_std({}).n, 0);
}

TEST(Statistics, McNemarExactMatchesTheBinomialTailByHand) {
  // n = 7, k = 1: (C(7,0) + C(7,1)) / 2^7 = 8/128, doubled.
  EXPECT_NEAR(mcnemar_exact(1, 6), 0.125, 1e-12);
  EXPECT_NEAR(mcnemar_exact(6, 1), 0.125, 1e-12);
  EXPECT_NEAR(mcnemar_exact(0, 5), 0.0625, 1e-12);
  // n = 13, k = 3: (1 + 13 + 78 + 286) / 8192, doubled.
  EXPECT_NEAR(mcnemar_exact(3, 10), 2 * 378.0 / 8192, 1e-12);
  // n = 20, k = 5: (1 + 20 + 190 + 1140 + 4845 + 15504) / 2^20, doubled.
  EXPECT_NEAR(mcnemar_exact(5, 15), 2 * 21700.0 / 1048576, 1e-12);
  EXPECT_EQ(mcnemar_exact(4, 4), 1.0);  // the doubled tail passes 1
  EXPECT_EQ(mcnemar_exact(0, 0), 1.0);  // no discordant pairs: no evidence
  // Large n stays finite: 600 vs 400 discordant pairs is overwhelming evidence.
  EXPECT_LT(mcnemar_exact(600, 400), 1e-9);
  EXPECT_GT(mcnemar_exact(600, 400), 0.0);
}

TEST(Statistics, HolmAdjustsTheTextbookExample) {
  // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04 -> monotone 0.06.
  std::vector<double> adjusted = holm({0.01, 0.04, 0.03, 0.005});
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_NEAR(adjusted[0], 0.03, 1e-12);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-12);
  EXPECT_NEAR(adjusted[2], 0.06, 1e-12);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-12);
  EXPECT_EQ(holm({0.5, 0.6})[1], 1.0);  // capped at 1
  EXPECT_TRUE(holm({}).empty());
}

TEST(Statistics, BootstrapIntervalOfAnAccuracyMatchesTheNormalApproximation) {
  // 400 samples, half right: the 95% interval is about 0.5 +- 1.96 * sqrt(0.25 / 400) = 0.049.
  std::vector<int> right(400);
  for (size_t i = 0; i < right.size(); ++i) right[i] = i % 2;
  auto accuracy = [&](const std::vector<int>& drawn) {
    double sum = 0;
    for (int i : drawn) sum += right[i];
    return sum / static_cast<double>(drawn.size());
  };
  Interval ci = bootstrap_interval(400, accuracy, 4000, 1);
  EXPECT_NEAR(ci.low, 0.451, 0.006);
  EXPECT_NEAR(ci.high, 0.549, 0.006);
  // Seeded: the same seed gives the same interval.
  Interval again = bootstrap_interval(400, accuracy, 4000, 1);
  EXPECT_EQ(ci.low, again.low);
  EXPECT_EQ(ci.high, again.high);
  // A constant statistic has no spread.
  Interval constant = bootstrap_interval(
      10, [](const std::vector<int>&) { return 0.7; }, 100, 3);
  EXPECT_EQ(constant.low, 0.7);
  EXPECT_EQ(constant.high, 0.7);
}

TEST(Statistics, PairedBootstrapSeparatesClearFromAbsentDifferences) {
  // Per-sample correctness of two systems; the difference statistic is accuracy(a) - accuracy(b).
  auto difference_of = [](std::vector<int> a, std::vector<int> b) {
    return [a, b](const std::vector<int>& drawn) {
      double d = 0;
      for (int i : drawn) d += a[i] - b[i];
      return d / static_cast<double>(drawn.size());
    };
  };
  std::vector<int> all(50, 1), half(50, 0);
  for (int i = 0; i < 25; ++i) half[i] = 1;
  EXPECT_EQ(paired_bootstrap_p(50, difference_of(all, half), 2000, 5), 0.0);
  EXPECT_EQ(paired_bootstrap_p(50, difference_of(half, half), 2000, 5), 1.0);
  // 200 samples, 30 only a got right and 10 only b: McNemar gives p = 0.0022. The bootstrap's
  // exact value: a resample holds (n+, n-, n0) ~ Multinomial(200; 0.15, 0.05, 0.8) of the
  // +1/-1/0 differences, and P(n+ <= n-) = 0.000653 summed over all counts, so the two-sided p
  // is 0.001306. With 400k resamples its estimate has a standard deviation of 0.00008: the
  // bounds below hold for any seed (5 sd) and reject the one-sided 0.00065.
  std::vector<int> a(200, 1), b(200, 1);
  for (int i = 0; i < 30; ++i) b[i] = 0;
  for (int i = 30; i < 40; ++i) a[i] = 0;
  const double p = paired_bootstrap_p(200, difference_of(a, b), 400000, 5);
  EXPECT_GT(p, 0.0009);
  EXPECT_LT(p, 0.0017);
  EXPECT_NEAR(mcnemar_exact(30, 10), 0.00222, 0.00005);
}

TEST(Statistics, ConclusionsInPlainWords) {
  EXPECT_EQ(conclusion("vgg", 0.81, "seed-cnn", 0.765, "test accuracy", 0.003),
            "vgg beats seed-cnn on test accuracy (0.8100 vs 0.7650), p = 0.003");
  EXPECT_EQ(conclusion("seed-cnn", 0.70, "vgg", 0.71, "test accuracy", 0.2),
            "no significant difference between vgg and seed-cnn on test accuracy (0.7100 vs "
            "0.7000), p = 0.200");
  EXPECT_THAT(conclusion("a", 0.9, "b", 0.1, "accuracy", 1e-6), HasSubstr("p < 0.001"));
  EXPECT_EQ(format_p(0.0004), "< 0.001");
  EXPECT_EQ(format_p(0.04), "0.040");
}
