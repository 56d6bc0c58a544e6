// Classification metrics against figures worked out by hand from their definitions.
#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

using ferlab::metrics::classification_metrics;
using ferlab::metrics::Metrics;

namespace {

// Four classes; class 2 has samples but is never predicted, class 3 is predicted once but has
// no samples.
//   truth:     0    0    0    1    1    2    2
//   predicted: 0    0    1    1    3    0    1
// Confusion (rows true, columns predicted): [2 1 0 0] [0 1 0 1] [1 1 0 0] [0 0 0 0].
const std::vector<int> truth = {0, 0, 0, 1, 1, 2, 2};
const std::vector<std::vector<float>> probabilities = {
    {0.7f, 0.1f, 0.1f, 0.1f},   // right; p(true) .7
    {0.4f, 0.3f, 0.2f, 0.1f},   // right; .4
    {0.3f, 0.5f, 0.1f, 0.1f},   // wrong, true class second: in the top 2; .3
    {0.1f, 0.6f, 0.2f, 0.1f},   // right; .6
    {0.1f, 0.2f, 0.3f, 0.4f},   // wrong, true class third; .2
    {0.5f, 0.3f, 0.2f, 0.0f},   // wrong, true class third; .2
    {0.2f, 0.4f, 0.3f, 0.1f}};  // wrong, true class second: in the top 2; .3

}  // namespace

TEST(ClassificationMetrics, MatchAHandComputedExample) {
  const Metrics m = classification_metrics(truth, probabilities, 4);
  EXPECT_NEAR(m.accuracy, 3.0 / 7, 1e-12);
  // Per class: c0 TP 2 FP 1 FN 1; c1 TP 1 FP 2 FN 1; c2 TP 0 FP 0 FN 2; c3 TP 0 FP 1 FN 0.
  ASSERT_EQ(m.per_class.size(), 4u);
  EXPECT_NEAR(m.per_class[0].precision, 2.0 / 3, 1e-12);
  EXPECT_NEAR(m.per_class[0].recall, 2.0 / 3, 1e-12);
  EXPECT_NEAR(m.per_class[0].f1, 2.0 / 3, 1e-12);
  EXPECT_EQ(m.per_class[0].support, 3);
  EXPECT_NEAR(m.per_class[1].precision, 1.0 / 3, 1e-12);
  EXPECT_NEAR(m.per_class[1].recall, 1.0 / 2, 1e-12);
  EXPECT_NEAR(m.per_class[1].f1, 2.0 / 5, 1e-12);
  EXPECT_EQ(m.per_class[1].support, 2);
  // Never predicted: precision undefined -> 0; recall 0/2.
  EXPECT_EQ(m.per_class[2].precision, 0.0);
  EXPECT_EQ(m.per_class[2].recall, 0.0);
  EXPECT_EQ(m.per_class[2].f1, 0.0);
  EXPECT_EQ(m.per_class[2].support, 2);
  // No samples: recall undefined -> 0; precision 0/1.
  EXPECT_EQ(m.per_class[3].precision, 0.0);
  EXPECT_EQ(m.per_class[3].recall, 0.0);
  EXPECT_EQ(m.per_class[3].f1, 0.0);
  EXPECT_EQ(m.per_class[3].support, 0);
  // All four classes occur in the truth or the predictions: (2/3 + 2/5 + 0 + 0) / 4.
  EXPECT_NEAR(m.macro_f1, 4.0 / 15, 1e-12);
  // (3 * 2/3 + 2 * 2/5 + 2 * 0 + 0 * 0) / 7.
  EXPECT_NEAR(m.weighted_f1, 0.4, 1e-12);
  // Recall of the three classes with samples: (2/3 + 1/2 + 0) / 3.
  EXPECT_NEAR(m.balanced_accuracy, 7.0 / 18, 1e-12);
  // p_o = 3/7; p_e = (3*3 + 2*3 + 2*0 + 0*1) / 49 = 15/49; (21 - 15) / (49 - 15).
  EXPECT_NEAR(m.kappa, 3.0 / 17, 1e-12);
  EXPECT_NEAR(m.top2_accuracy, 5.0 / 7, 1e-12);
  // -(ln .7 + ln .4 + ln .3 + ln .6 + ln .2 + ln .2 + ln .3) / 7, evaluated on a calculator.
  EXPECT_NEAR(m.log_loss, 1.05865896, 1e-6);
}

TEST(ClassificationMetrics, PerfectPredictionsOfOneClassGiveNoNaN) {
  // Chance agreement is 1, so kappa's formula is 0/0; it is reported as 0.
  const Metrics m = classification_metrics({1, 1}, {{0.f, 1.f}, {0.f, 1.f}}, 2);
  EXPECT_EQ(m.accuracy, 1.0);
  EXPECT_EQ(m.balanced_accuracy, 1.0);
  EXPECT_EQ(m.macro_f1, 1.0);
  EXPECT_EQ(m.kappa, 0.0);
  EXPECT_EQ(m.log_loss, 0.0);
  // Class 0: no samples, never predicted.
  EXPECT_EQ(m.per_class[0].f1, 0.0);
  EXPECT_EQ(m.per_class[0].support, 0);
}

TEST(ClassificationMetrics, AZeroProbabilityOfTheTruthIsClipped) {
  const Metrics m = classification_metrics({0}, {{0.f, 1.f}}, 2);
  EXPECT_NEAR(m.log_loss, 34.538776, 1e-5);  // -ln(1e-15)
  EXPECT_EQ(m.top2_accuracy, 1.0);           // two classes: always in the top 2
}

TEST(ClassificationMetrics, RejectsMismatchedInput) {
  EXPECT_THROW(classification_metrics({0, 1}, {{1.f, 0.f}}, 2), std::invalid_argument);
  EXPECT_THROW(classification_metrics({2}, {{1.f, 0.f}}, 2), std::invalid_argument);
  EXPECT_THROW(classification_metrics({0}, {{1.f, 0.f, 0.f}}, 2), std::invalid_argument);
}
