// The dense layer against plain loops (y = W x + b over the flattened input) in every input
// layout, and its gradients against central finite differences; with the SDK's kit only.
#include <gtest/gtest.h>

#include <ferlab/testing.hpp>

using namespace ferlab::plugin_test;
using ferlab::Layer;
using ferlab::Params;

namespace {

// y = W x + b for each of n rows of `features` inputs; weights: units x features, row-major.
std::vector<float> dense_loops(const std::vector<float>& in, int n, int features,
                               const std::vector<float>& weights, const std::vector<float>& bias,
                               int units) {
  std::vector<float> out(static_cast<std::size_t>(n) * units);
  for (int i = 0; i < n; ++i)
    for (int u = 0; u < units; ++u) {
      double sum = bias.empty() ? 0.0 : bias[u];
      for (int f = 0; f < features; ++f)
        sum += static_cast<double>(in[i * features + f]) * weights[u * features + f];
      out[i * units + u] = static_cast<float>(sum);
    }
  return out;
}

}  // namespace

TEST(Dense, SchemaIsSound) { EXPECT_TRUE(plugin_under_test().schema_problems().empty()); }

TEST(Dense, ImagesInEveryLayoutMatchLoopsAndFiniteDifferences) {
  for (Layout layout : all_layouts) {
    LayerHarness h(plugin_under_test().create<Layer>("dense", Params({{"units", std::int64_t{4}}})),
                   {{2, 3, 7, 5}}, 7, layout);
    EXPECT_EQ(h.output_dims(), (dnnl::memory::dims{2, 4}));
    const auto expected = dense_loops(h.input(0), 2, 105, h.values("weights"), h.values("bias"), 4);
    EXPECT_EQ(first_difference(h.forward(false), expected, 1e-5), "") << to_string(layout);
    EXPECT_EQ(h.layer().macs(), 105 * 4);
    EXPECT_EQ(gradient_failures(h.check_gradients()), "") << to_string(layout);
  }
}

TEST(Dense, WithoutBiasOnFlatInput) {
  LayerHarness h(plugin_under_test().create<Layer>(
                     "dense", Params({{"units", std::int64_t{3}}, {"bias", false}})),
                 {{1, 6}});
  EXPECT_EQ(h.layer().parameters().size(), 1u);
  EXPECT_EQ(first_difference(h.forward(true),
                             dense_loops(h.input(0), 1, 6, h.values("weights"), {}, 3), 1e-5),
            "");
  EXPECT_EQ(gradient_failures(h.check_gradients()), "");
}
