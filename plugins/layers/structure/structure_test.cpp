// Flatten, add and concat: the values they must give, written out by hand, in every layout, and
// their gradients against central finite differences. With the SDK's kit only.
#include <gtest/gtest.h>

#include <ferlab/testing.hpp>

using namespace ferlab::plugin_test;
using ferlab::Layer;

namespace {

std::shared_ptr<Layer> layer(const std::string& type) {
  return plugin_under_test().create<Layer>(type);
}

}  // namespace

TEST(Structure, FlattenKeepsPlainOrderAndShape) {
  for (Layout layout : all_layouts) {
    LayerHarness h(layer("flatten"), {{2, 3, 7, 5}}, 7, layout);
    EXPECT_EQ(h.output_dims(), (dnnl::memory::dims{2, 105}));
    EXPECT_EQ(first_difference(h.forward(false), h.input(0), 0), "") << to_string(layout);
    EXPECT_EQ(gradient_failures(h.check_gradients()), "") << to_string(layout);
  }
}

TEST(Structure, AddSumsItsInputs) {
  for (Layout layout : all_layouts) {
    LayerHarness h(layer("add"), {{1, 3, 7, 5}, {1, 3, 7, 5}, {1, 3, 7, 5}}, 7, layout);
    const auto a = h.input(0), b = h.input(1), c = h.input(2);
    std::vector<float> expected;
    for (std::size_t i = 0; i < a.size(); ++i) expected.push_back(a[i] + b[i] + c[i]);
    EXPECT_EQ(first_difference(h.forward(false), expected, 1e-6), "") << to_string(layout);
    EXPECT_EQ(gradient_failures(h.check_gradients()), "") << to_string(layout);
  }
  EXPECT_THROW(LayerHarness(layer("add"), {{1, 3, 7, 5}, {1, 2, 7, 5}}), std::invalid_argument);
}

TEST(Structure, ConcatJoinsChannels) {
  for (Layout layout : all_layouts) {
    LayerHarness h(layer("concat"), {{2, 3, 7, 5}, {2, 2, 7, 5}}, 7, layout);
    EXPECT_EQ(h.output_dims(), (dnnl::memory::dims{2, 5, 7, 5}));
    const auto x = h.input(0), y = h.input(1);
    std::vector<float> expected;
    const int plane = 35;
    for (int n = 0; n < 2; ++n) {
      expected.insert(expected.end(), x.begin() + n * 3 * plane, x.begin() + (n + 1) * 3 * plane);
      expected.insert(expected.end(), y.begin() + n * 2 * plane, y.begin() + (n + 1) * 2 * plane);
    }
    EXPECT_EQ(first_difference(h.forward(false), expected, 0), "") << to_string(layout);
    EXPECT_EQ(gradient_failures(h.check_gradients()), "") << to_string(layout);
  }
  EXPECT_THROW(LayerHarness(layer("concat"), {{1, 3, 7, 5}, {1, 3, 6, 5}}), std::invalid_argument);
}
