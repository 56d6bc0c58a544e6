// Batch normalization against plain per-channel loops (training: batch statistics and the
// running averages' update; inference: the running statistics) in every layout, on one thread
// and two, and its gradients against central finite differences. With the SDK's kit only.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <ferlab/testing.hpp>
#include <map>

using namespace ferlab::plugin_test;
using ferlab::Layer;
using ferlab::Params;

namespace {

struct Shape {
  int n, c, h, w;
};

// Per-channel mean and biased variance over batch and map (plain NCHW).
void channel_statistics(const std::vector<float>& in, Shape s, std::vector<double>& mean,
                        std::vector<double>& var) {
  const int count = s.n * s.h * s.w;
  mean.assign(s.c, 0);
  var.assign(s.c, 0);
  auto at = [&s](int n, int c, int i) { return (n * s.c + c) * s.h * s.w + i; };
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int i = 0; i < s.h * s.w; ++i) mean[c] += in[at(n, c, i)];
  for (double& m : mean) m /= count;
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int i = 0; i < s.h * s.w; ++i) var[c] += std::pow(in[at(n, c, i)] - mean[c], 2);
  for (double& v : var) v /= count;
}

// Each channel normalized with the given mean and variance, then scaled and shifted.
std::vector<float> normalized(const std::vector<float>& in, Shape s,
                              const std::vector<double>& mean, const std::vector<double>& var,
                              const std::vector<float>& scale, const std::vector<float>& shift) {
  const double eps = 1e-5;  // the schema's default
  std::vector<float> out(in.size());
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int i = 0; i < s.h * s.w; ++i) {
        const int at = (n * s.c + c) * s.h * s.w + i;
        out[at] =
            static_cast<float>(scale[c] * (in[at] - mean[c]) / std::sqrt(var[c] + eps) + shift[c]);
      }
  return out;
}

LayerHarness harness(const Params& params, Shape s, Layout layout) {
  return LayerHarness(plugin_under_test().create<Layer>("batchnorm", params),
                      {{s.n, s.c, s.h, s.w}}, 7, layout);
}

// Training forward runs the plugin's own loops, one path per layout family: every layout here.
class BatchNormTest : public ::testing::TestWithParam<Layout> {};
INSTANTIATE_TEST_SUITE_P(Layouts, BatchNormTest, ::testing::ValuesIn(all_layouts),
                         [](const auto& info) { return to_string(info.param); });

TEST(BatchNorm, SchemaIsSound) { EXPECT_TRUE(plugin_under_test().schema_problems().empty()); }

// 3 channels: one partial block; 20 channels: a full block of 16 and a partial one. On one
// thread and on two, which split the (image, channel block) slices between them and merge the
// per-image moments in image order: the same bits either way.
TEST_P(BatchNormTest, TrainingUsesBatchStatisticsAndUpdatesRunningOnes) {
  std::map<int, std::vector<float>> outputs;  // first shape's training output, by threads
  for (const auto& [threads, s] :
       {std::pair{1, Shape{2, 3, 7, 5}}, std::pair{1, Shape{3, 20, 4, 3}},
        std::pair{2, Shape{2, 3, 7, 5}}, std::pair{2, Shape{3, 20, 4, 3}}}) {
    SCOPED_TRACE(testing::Message() << s.c << " channels, " << threads << " threads");
    omp_set_num_threads(threads);
    struct OneThreadAfter {
      ~OneThreadAfter() { omp_set_num_threads(1); }
    } restore;
    LayerHarness h = harness(Params({{"momentum", 0.8}}), s, GetParam());
    std::vector<double> mean, var;
    channel_statistics(h.input(0), s, mean, var);
    const auto scale = h.values("scale"), shift = h.values("shift");
    const std::vector<float> trained = h.forward(true);
    EXPECT_EQ(first_difference(trained, normalized(h.input(0), s, mean, var, scale, shift), 1e-5),
              "")
        << "training forward";
    if (s.c == 3) outputs[threads] = trained;
    // One update from mean 0 / variance 1, with Bessel's correction on the variance.
    const double n = s.n * s.h * s.w;
    std::vector<float> want_mean, want_var;
    for (int c = 0; c < s.c; ++c) {
      want_mean.push_back(static_cast<float>(0.2 * mean[c]));
      want_var.push_back(static_cast<float>(0.8 + 0.2 * var[c] * n / (n - 1)));
    }
    EXPECT_EQ(first_difference(h.values("running_mean"), want_mean, 1e-5), "") << "running mean";
    EXPECT_EQ(first_difference(h.values("running_var"), want_var, 1e-5), "") << "running var";
    // Inference normalizes with the running statistics.
    const std::vector<double> rmean(want_mean.begin(), want_mean.end()),
        rvar(want_var.begin(), want_var.end());
    EXPECT_EQ(first_difference(h.forward(false),
                               normalized(h.input(0), s, rmean, rvar, scale, shift), 1e-5),
              "")
        << "inference forward";
  }
  EXPECT_EQ(outputs.at(1), outputs.at(2));
}

TEST_P(BatchNormTest, BackwardMatchesFiniteDifferences) {
  EXPECT_EQ(gradient_failures(harness({}, {2, 3, 7, 5}, GetParam()).check_gradients()), "");
  EXPECT_EQ(gradient_failures(harness({}, {1, 3, 7, 5}, GetParam()).check_gradients()), "");
  LayerHarness features(plugin_under_test().create<Layer>("batchnorm"), {{5, 4}});  // after dense
  EXPECT_EQ(gradient_failures(features.check_gradients()), "");
}

TEST(BatchNorm, RunningStatisticsAreStateNotTrained) {
  LayerHarness h = harness({}, {1, 3, 7, 5}, Layout::plain);
  EXPECT_TRUE(h.parameter("scale").trainable());
  EXPECT_TRUE(h.parameter("shift").trainable());
  EXPECT_FALSE(h.parameter("running_mean").trainable());
  EXPECT_FALSE(h.parameter("running_var").trainable());
  EXPECT_FALSE(h.parameter("scale").weight_decay);
}

}  // namespace
