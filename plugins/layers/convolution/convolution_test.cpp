// The convolution layer against plain loops (conv_loops.hpp) forward, and against central finite
// differences backward, on odd shapes (batch 1, 3 channels, 7x5 maps, stride 2, padding,
// dilation, groups, depthwise, Winograd), with inputs in plain and in blocked (nChw8c) layout;
// bf16 against the loops on values bf16 holds exactly. With the SDK's kit only.
#include <gtest/gtest.h>

#include <cstring>
#include <ferlab/testing.hpp>

#include "conv_loops.hpp"

using namespace ferlab::plugin_test;
using conv_loops::ConvGeometry;
using conv_loops::Shape;
using ferlab::Layer;
using ferlab::Params;
using dims = dnnl::memory::dims;

namespace {

struct ConvCase {
  const char* label;
  Shape in;
  ConvGeometry g;
  bool depthwise, bias;
  const char* algorithm = "auto";  // direct, or winograd where oneDNN has it (AVX-512)
};

void PrintTo(const ConvCase& c, std::ostream* os) { *os << c.label; }

Params conv_params(const ConvCase& c) {
  std::map<std::string, ferlab::Value> p{
      {"filters", std::int64_t{c.g.filters}},   {"kernel", std::int64_t{c.g.kernel}},
      {"stride", std::int64_t{c.g.stride}},     {"padding", std::int64_t{c.g.padding}},
      {"dilation", std::int64_t{c.g.dilation}}, {"bias", c.bias},
      {"algorithm", std::string(c.algorithm)}};
  if (c.depthwise)
    p["depthwise"] = true;
  else
    p["groups"] = std::int64_t{c.g.groups};
  return Params(p);
}

// The harness, or null when oneDNN has no kernel for this CPU (`skip_when` in the message).
std::unique_ptr<LayerHarness> harness_unless(const std::string& skip_when, const Params& params,
                                             const Shape& in, Layout layout) {
  try {
    return std::make_unique<LayerHarness>(plugin_under_test().create<Layer>("convolution", params),
                                          std::vector<dims>{{in.n, in.c, in.h, in.w}}, 7, layout);
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(skip_when) == std::string::npos) throw;
    std::printf("skipped: %s\n", e.what());
    return nullptr;
  }
}

class ConvolutionTest : public ::testing::TestWithParam<std::tuple<ConvCase, Layout>> {};

TEST(Convolution, SchemaIsSound) { EXPECT_TRUE(plugin_under_test().schema_problems().empty()); }

TEST_P(ConvolutionTest, ForwardMatchesLoopsAndBackwardMatchesFiniteDifferences) {
  const auto& [c, layout] = GetParam();
  auto harness = harness_unless("no Winograd kernel for this CPU", conv_params(c), c.in, layout);
  if (!harness) GTEST_SKIP() << "no Winograd kernel for this CPU";
  LayerHarness& h = *harness;
  const int oh = conv_loops::out_size(c.in.h, c.g.kernel, c.g.stride, c.g.padding, c.g.dilation);
  const int ow = conv_loops::out_size(c.in.w, c.g.kernel, c.g.stride, c.g.padding, c.g.dilation);
  EXPECT_EQ(h.output_dims(), (dims{c.in.n, c.g.filters, oh, ow}));
  ConvGeometry g = c.g;
  if (c.depthwise) g.groups = c.in.c;
  const auto expected = conv_loops::conv2d(h.input(0), c.in, h.values("weights"),
                                           c.bias ? h.values("bias") : std::vector<float>{}, g);
  EXPECT_EQ(first_difference(h.forward(false), expected, 1e-5), "") << "inference";
  EXPECT_EQ(first_difference(h.forward(true), expected, 1e-5), "") << "training";
  EXPECT_EQ(h.layer().macs(),
            std::int64_t{c.g.filters} * oh * ow * (c.in.c / g.groups) * c.g.kernel * c.g.kernel);
  EXPECT_EQ(h.layer().parameters().size(), c.bias ? 2u : 1u);
  // The layer is linear in its input and in its weights: a wide step keeps central differences
  // exact while shrinking the float rounding of the forward passes (Winograd's especially) that
  // the difference quotient divides by 2 * eps.
  EXPECT_EQ(gradient_failures(h.check_gradients(0.25)), "");
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
        ::testing::Values(Layout::plain, Layout::blocked8)),
    [](const auto& info) {
      return "case" + std::to_string(info.index / 2) + "_" + to_string(std::get<1>(info.param));
    });

// bf16 keeps 8 significant bits. Values with no more multiply exactly (into f32 accumulators),
// so on such values a bf16 convolution must agree with the loops as closely as an f32 one; on
// other values it must differ by about bf16's rounding (it really computes in bf16).
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
INSTANTIATE_TEST_SUITE_P(Layouts, ConvolutionBf16Test,
                         ::testing::Values(Layout::plain, Layout::blocked8),
                         [](const auto& info) { return to_string(info.param); });

TEST_P(ConvolutionBf16Test, OnBf16ValuesMatchesLoopsForwardAndBackward) {
  const Shape in{2, 16, 7, 5};
  const ConvGeometry g{8, 3, 2, 1, 1, 1};
  auto harness = harness_unless("precision bf16 needs",
                                Params({{"filters", std::int64_t{g.filters}},
                                        {"stride", std::int64_t{g.stride}},
                                        {"padding", std::int64_t{g.padding}},
                                        {"precision", std::string("bf16")}}),
                                in, GetParam());
  if (!harness) GTEST_SKIP() << "no bf16 convolution on this CPU";
  LayerHarness& h = *harness;
  const auto rough_input = h.input(0), rough_weights = h.values("weights");
  const auto bias = h.values("bias");
  const auto rough_expected = conv_loops::conv2d(rough_input, in, rough_weights, bias, g);

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
  const auto expected = conv_loops::conv2d(input, in, weights, bias, g);
  EXPECT_EQ(first_difference(h.forward(false), expected, 1e-5), "") << "inference";
  EXPECT_EQ(first_difference(h.forward(true), expected, 1e-5), "") << "training";

  ferlab::Rng rng(3);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> grad(expected.size());
  for (float& x : grad) x = bf16_exact(u(rng));
  const auto input_grad = h.backward(grad)[0];
  const auto reference = conv_loops::conv2d_backward(input, in, weights, grad, g);
  EXPECT_EQ(first_difference(input_grad, reference.input, 1e-5), "") << "input gradient";
  EXPECT_EQ(first_difference(h.gradients("weights"), reference.weights, 1e-5), "") << "weights";
  EXPECT_EQ(first_difference(h.gradients("bias"), reference.bias, 1e-5), "") << "bias";
}

// What a layer owes a network that sets it up once per batch size.
struct Engine {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  ferlab::LayerContext context{engine, stream};
};

TEST(Convolution, WinogradOutsideItsShapesIsRefusedSayingWhatItNeeds) {
  auto layer = plugin_under_test().create<Layer>(
      "convolution", Params({{"kernel", std::int64_t{5}}, {"algorithm", std::string("winograd")}}));
  Engine s;
  try {
    layer->setup({plain_desc({16, 16, 7, 5})}, s.context);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("winograd needs kernel 3"), std::string::npos) << e.what();
  }
}

TEST(Convolution, ParametersSurviveASecondSetupForAnotherBatch) {
  auto layer =
      plugin_under_test().create<Layer>("convolution", Params({{"filters", std::int64_t{2}}}));
  Engine s;
  layer->setup({plain_desc({1, 3, 7, 5})}, s.context);
  LayerHarness::data(layer->parameters()[0]->value)[0] = 42.f;
  EXPECT_EQ(layer->setup({plain_desc({4, 3, 7, 5})}, s.context).dims(), (dims{4, 2, 5, 3}));
  EXPECT_EQ(LayerHarness::data(layer->parameters()[0]->value)[0], 42.f);
  EXPECT_THROW(layer->setup({plain_desc({1, 2, 7, 5})}, s.context), std::invalid_argument);
}

TEST(Convolution, UnknownParameterIsRefusedNamingTheLayer) {
  try {
    plugin_under_test().create<Layer>("convolution", Params({{"filter", std::int64_t{3}}}));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("convolution"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("filter"), std::string::npos) << e.what();
  }
}

}  // namespace
