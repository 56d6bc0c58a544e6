// Dropout: identity in inference, drops at the rate in training with kept elements scaled by
// 1 / (1 - rate), one mask per generator state, gradients through the kept elements only; in
// every layout. With the SDK's kit only.
#include <gtest/gtest.h>

#include <ferlab/testing.hpp>

using namespace ferlab::plugin_test;
using ferlab::Layer;
using ferlab::Params;

namespace {

std::shared_ptr<Layer> dropout(double rate) {
  return plugin_under_test().create<Layer>("dropout", Params({{"rate", rate}}));
}

}  // namespace

TEST(Dropout, InferenceIsIdentityAndTrainingDropsAtTheRate) {
  LayerHarness h(dropout(0.3), {{4, 5, 20, 25}});
  const auto in = h.input(0);
  EXPECT_EQ(first_difference(h.forward(false), in, 0), "") << "inference";
  const auto out = h.forward(true);
  int dropped = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (out[i] == 0.f)
      ++dropped;
    else
      ASSERT_NEAR(out[i], in[i] / 0.7f, 1e-6) << "kept elements are scaled by 1 / (1 - rate)";
  }
  EXPECT_NEAR(dropped / static_cast<double>(in.size()), 0.3, 0.02);
  EXPECT_EQ(h.forward(true), out) << "the same generator state gives the same mask";
  std::vector<float> ones(in.size(), 1.f);
  h.forward(true);
  const auto grad = h.backward(ones)[0];
  for (std::size_t i = 0; i < in.size(); ++i)
    ASSERT_FLOAT_EQ(grad[i], out[i] == 0.f ? 0.f : 1 / 0.7f);
}

TEST(Dropout, EveryLayoutPassesInferenceThroughAndMatchesFiniteDifferences) {
  for (Layout layout : all_layouts) {
    LayerHarness h(dropout(0.5), {{1, 3, 7, 5}}, 7, layout);
    EXPECT_EQ(first_difference(h.forward(false), h.input(0), 0), "") << to_string(layout);
    EXPECT_EQ(gradient_failures(h.check_gradients()), "") << to_string(layout);
  }
}
