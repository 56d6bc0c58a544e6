// The layer plugins whose tests still live here (dense, activations, pooling, dropout and the
// structure layers test themselves in their folders, with the SDK's kit): forward against a
// plain-loop implementation (naive_layers.hpp) and backward against central finite differences, on
// odd shapes (batch 1, 3 channels, 7x5 maps, stride 2, padding), with inputs in plain and in
// blocked (nChw8c) layout.
#include <cstring>

#include "engine_fixture.hpp"
#include "naive_layers.hpp"

namespace ferlab::test {
namespace {

using naive::Shape;

struct ConvCase {
  const char* label;
  Shape in;
  naive::ConvGeometry g;
  bool depthwise, bias;
  const char* algorithm = "auto";  // direct, or winograd where oneDNN has it (AVX-512)
};

class ConvolutionTest : public ::testing::TestWithParam<std::tuple<ConvCase, Layout>> {};

std::string case_name(std::size_t index, Layout layout) {
  return "case" + std::to_string(index) + (layout == Layout::blocked8 ? "_blocked" : "_plain");
}
template <class Info>
std::string indexed_name(const Info& info) {
  return case_name(info.index / 2, std::get<1>(info.param));
}
const auto both_layouts = ::testing::Values(Layout::plain, Layout::blocked8);

TEST_P(ConvolutionTest, ForwardMatchesNaiveAndBackwardMatchesFiniteDifferences) {
  const auto& [c, layout] = GetParam();
  Overrides o{{"filters", std::int64_t{c.g.filters}},   {"kernel", std::int64_t{c.g.kernel}},
              {"stride", std::int64_t{c.g.stride}},     {"padding", std::int64_t{c.g.padding}},
              {"dilation", std::int64_t{c.g.dilation}}, {"bias", c.bias},
              {"algorithm", std::string(c.algorithm)}};
  if (c.depthwise)
    o["depthwise"] = true;
  else
    o["groups"] = std::int64_t{c.g.groups};
  std::unique_ptr<LayerHarness> harness;
  try {
    harness = std::make_unique<LayerHarness>(
        "convolution", o, std::vector<memory::dims>{{c.in.n, c.in.c, c.in.h, c.in.w}}, 7, layout);
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find("no Winograd kernel for this CPU") == std::string::npos) throw;
    GTEST_SKIP() << e.what();
  }
  LayerHarness& h = *harness;
  const int oh = naive::out_size(c.in.h, c.g.kernel, c.g.stride, c.g.padding, c.g.dilation);
  const int ow = naive::out_size(c.in.w, c.g.kernel, c.g.stride, c.g.padding, c.g.dilation);
  EXPECT_EQ(h.output_dims(), (memory::dims{c.in.n, c.g.filters, oh, ow}));
  naive::ConvGeometry g = c.g;
  if (c.depthwise) g.groups = c.in.c;
  const auto expected = naive::conv2d(h.input(0), c.in, h.values("weights"),
                                      c.bias ? h.values("bias") : std::vector<float>{}, g);
  expect_close(h.forward(false), expected, 1e-5, c.label);
  expect_close(h.forward(true), expected, 1e-5, c.label);
  EXPECT_EQ(h.layer().macs(),
            std::int64_t{c.g.filters} * oh * ow * (c.in.c / g.groups) * c.g.kernel * c.g.kernel);
  EXPECT_EQ(h.layer().parameters().size(), c.bias ? 2u : 1u);
  // The layer is linear in its input and in its weights: a wide step keeps central differences
  // exact while shrinking the float rounding of the forward passes (Winograd's especially) that
  // the difference quotient divides by 2 * eps.
  h.expect_gradients_match_finite_differences(0.25);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvolutionTest,
    ::testing::Combine(
        ::testing::Values(
            ConvCase{"3x3 pad1 batch1 3ch 7x5", {1, 3, 7, 5}, {4, 3, 1, 1, 1, 1}, false, true},
            ConvCase{"3x3 stride2 pad1", {2, 3, 7, 5}, {2, 3, 2, 1, 1, 1}, false, true},
            ConvCase{"dilation2 pad2", {1, 3, 7, 5}, {2, 3, 1, 2, 2, 1}, false, true},
            ConvCase{"groups2 no pad", {2, 4, 7, 5}, {6, 3, 1, 0, 1, 2}, false, true},
            ConvCase{"depthwise stride2 no bias", {1, 3, 7, 5}, {3, 3, 2, 1, 1, 1}, true, false},
            ConvCase{"1x1", {2, 3, 7, 5}, {5, 1, 1, 0, 1, 1}, false, true},
            ConvCase{"5x5 stride2 pad2 1ch", {1, 1, 7, 5}, {2, 5, 2, 2, 1, 1}, false, true},
            ConvCase{"16 filters", {2, 16, 6, 5}, {16, 3, 1, 1, 1, 1}, false, true, "direct"},
            ConvCase{"winograd 16ch", {2, 16, 7, 5}, {8, 3, 1, 1, 1, 1}, false, true, "winograd"},
            ConvCase{"winograd batch1 32ch no bias",
                     {1, 32, 7, 5},
                     {16, 3, 1, 1, 1, 1},
                     false,
                     false,
                     "winograd"},
            ConvCase{"winograd 32ch 8x8 two tiles",
                     {1, 32, 8, 8},
                     {16, 3, 1, 1, 1, 1},
                     false,
                     true,
                     "winograd"}),
        both_layouts),
    [](const auto& info) { return indexed_name(info); });

// bf16 keeps 8 significant bits. Values with no more multiply exactly (into f32 accumulators),
// so on such values a bf16 convolution must agree with the naive loops as closely as an f32
// one; on other values it must differ by about bf16's rounding (it really computes in bf16).
float bf16_exact(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits &= 0xffff0000u;
  std::memcpy(&x, &bits, sizeof bits);
  return x;
}
std::vector<float> bf16_exact(std::vector<float> v) {
  for (float& x : v) x = bf16_exact(x);
  return v;
}

class ConvolutionBf16Test : public ::testing::TestWithParam<Layout> {};
INSTANTIATE_TEST_SUITE_P(Layouts, ConvolutionBf16Test, both_layouts);

TEST_P(ConvolutionBf16Test, OnBf16ValuesMatchesNaiveLoopsForwardAndBackward) {
  const Shape in{2, 16, 7, 5};
  const naive::ConvGeometry g{8, 3, 2, 1, 1, 1};
  std::unique_ptr<LayerHarness> harness;
  try {
    harness = std::make_unique<LayerHarness>("convolution",
                                             Overrides{{"filters", std::int64_t{g.filters}},
                                                       {"stride", std::int64_t{g.stride}},
                                                       {"padding", std::int64_t{g.padding}},
                                                       {"precision", std::string("bf16")}},
                                             std::vector<memory::dims>{{in.n, in.c, in.h, in.w}}, 7,
                                             GetParam());
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find("precision bf16 needs") == std::string::npos) throw;
    GTEST_SKIP() << e.what();
  }
  LayerHarness& h = *harness;
  const auto rough_input = h.input(0), rough_weights = h.values("weights");
  const auto bias = h.values("bias");
  const auto rough_expected = naive::conv2d(rough_input, in, rough_weights, bias, g);

  // Arbitrary f32 values: off by bf16 rounding (2^-9 relative per factor), not more, not less.
  const auto rough = h.forward(false);
  double worst = 0;
  for (std::size_t i = 0; i < rough.size(); ++i)
    worst = std::max(worst, std::abs(static_cast<double>(rough[i]) - rough_expected[i]) /
                                (1 + std::abs(rough_expected[i])));
  EXPECT_GT(worst, 1e-5) << "no bf16 rounding: is the convolution computing in f32?";
  EXPECT_LT(worst, 3e-2);

  const auto input = bf16_exact(rough_input), weights = bf16_exact(rough_weights);
  h.set_input(0, input);
  std::copy(weights.begin(), weights.end(), LayerHarness::data(h.parameter("weights").value));
  const auto expected = naive::conv2d(input, in, weights, bias, g);
  expect_close(h.forward(false), expected, 1e-5, "inference");
  expect_close(h.forward(true), expected, 1e-5, "training");

  Rng rng(3);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> grad(expected.size());
  for (float& x : grad) x = bf16_exact(u(rng));
  const auto input_grad = h.backward(grad)[0];
  const auto reference = naive::conv2d_backward(input, in, weights, grad, g);
  expect_close(input_grad, reference.input, 1e-5, "input gradient");
  expect_close(h.gradients("weights"), reference.weights, 1e-5, "weights gradient");
  expect_close(h.gradients("bias"), reference.bias, 1e-5, "bias gradient");
}

// Training forward runs ferlab's own loops, one path per layout family: every layout here.
class BatchNormTest : public ::testing::TestWithParam<Layout> {};
INSTANTIATE_TEST_SUITE_P(Layouts, BatchNormTest,
                         ::testing::Values(Layout::plain, Layout::blocked8, Layout::blocked16,
                                           Layout::nhwc));

// 3 channels: one partial block; 20 channels: a full block of 16 and a partial one. On one
// thread and on two, which split the (image, channel block) slices between them and merge the
// per-image moments in image order: the same bits either way.
TEST_P(BatchNormTest, TrainingUsesBatchStatisticsAndUpdatesRunningOnes) {
  std::map<int, std::vector<float>> outputs;  // first shape's training output, by threads
  for (const auto& [threads, s] :
       {std::pair{1, Shape{2, 3, 7, 5}}, std::pair{1, Shape{3, 20, 4, 3}},
        std::pair{2, Shape{2, 3, 7, 5}}, std::pair{2, Shape{3, 20, 4, 3}}}) {
    SCOPED_TRACE(testing::Message() << s.c << " channels, " << threads << " threads");
    ASSERT_TRUE(engine::set_threads(threads));
    struct OneThreadAfter {
      ~OneThreadAfter() { engine::set_threads(1); }
    } restore;
    ASSERT_EQ(engine::max_threads(), threads);
    LayerHarness h("batchnorm", {{"momentum", 0.8}}, {{s.n, s.c, s.h, s.w}}, 7, GetParam());
    std::vector<double> mean, var;
    naive::channel_statistics(h.input(0), s, mean, var);
    const auto scale = h.values("scale"), shift = h.values("shift");
    const std::vector<float> trained = h.forward(true);
    expect_close(trained, naive::batchnorm(h.input(0), s, mean, var, scale, shift, 1e-5), 1e-5,
                 "training forward");
    if (s.c == 3) outputs[threads] = trained;
    // One update from mean 0 / variance 1, with Bessel's correction on the variance.
    const double n = s.n * s.h * s.w;
    std::vector<float> want_mean, want_var;
    for (int c = 0; c < s.c; ++c) {
      want_mean.push_back(static_cast<float>(0.2 * mean[c]));
      want_var.push_back(static_cast<float>(0.8 + 0.2 * var[c] * n / (n - 1)));
    }
    expect_close(h.values("running_mean"), want_mean, 1e-5, "running mean");
    expect_close(h.values("running_var"), want_var, 1e-5, "running variance");
    // Inference normalizes with the running statistics.
    const std::vector<double> rmean(want_mean.begin(), want_mean.end()),
        rvar(want_var.begin(), want_var.end());
    expect_close(h.forward(false), naive::batchnorm(h.input(0), s, rmean, rvar, scale, shift, 1e-5),
                 1e-5, "inference forward");
  }
  EXPECT_EQ(outputs.at(1), outputs.at(2));
}

TEST_P(BatchNormTest, BackwardMatchesFiniteDifferences) {
  LayerHarness image("batchnorm", {}, {{2, 3, 7, 5}}, 7, GetParam());
  image.expect_gradients_match_finite_differences();
  LayerHarness single("batchnorm", {}, {{1, 3, 7, 5}}, 7, GetParam());
  single.expect_gradients_match_finite_differences();
  LayerHarness features("batchnorm", {}, {{5, 4}});  // after a dense layer
  features.expect_gradients_match_finite_differences();
}

TEST(BatchNorm, RunningStatisticsAreStateNotTrained) {
  LayerHarness h("batchnorm", {}, {{1, 3, 7, 5}});
  EXPECT_TRUE(h.parameter("scale").trainable());
  EXPECT_TRUE(h.parameter("shift").trainable());
  EXPECT_FALSE(h.parameter("running_mean").trainable());
  EXPECT_FALSE(h.parameter("running_var").trainable());
  EXPECT_FALSE(h.parameter("scale").weight_decay);
}

TEST(Layers, UnknownParameterOrTypeIsRejectedWithTheLayerName) {
  try {
    make_layer("convolution", {{"filter", std::int64_t{3}}});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("under-test"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_layer("no-such-layer", {}), std::invalid_argument);
}

TEST(Layers, WinogradOutsideItsShapesIsRefusedSayingWhatItNeeds) {
  auto layer = make_layer("convolution",
                          {{"kernel", std::int64_t{5}}, {"algorithm", std::string("winograd")}});
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  LayerContext ctx{eng, dnnl::stream(eng)};
  try {
    layer->setup({plain({16, 16, 7, 5})}, ctx);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("winograd needs kernel 3"), std::string::npos) << e.what();
  }
}

TEST(Layers, ParametersSurviveASecondSetupForAnotherBatch) {
  auto layer = make_layer("convolution", {{"filters", std::int64_t{2}}});
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  LayerContext ctx{eng, dnnl::stream(eng)};
  layer->setup({plain({1, 3, 7, 5})}, ctx);
  LayerHarness::data(layer->parameters()[0]->value)[0] = 42.f;
  EXPECT_EQ(layer->setup({plain({4, 3, 7, 5})}, ctx).dims(), (memory::dims{4, 2, 5, 3}));
  EXPECT_EQ(LayerHarness::data(layer->parameters()[0]->value)[0], 42.f);
  EXPECT_THROW(layer->setup({plain({1, 2, 7, 5})}, ctx), std::invalid_argument);
}

}  // namespace
}  // namespace ferlab::test
