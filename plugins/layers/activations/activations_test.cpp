// Every activation against its formula in every input layout, and its gradient against central
// finite differences; parameters change the function. With the SDK's kit only.
#include <gtest/gtest.h>

#include <cmath>
#include <ferlab/testing.hpp>

using namespace ferlab::plugin_test;
using ferlab::Layer;
using ferlab::Params;

namespace {

double formula(const std::string& name, double x) {
  constexpr double pi = 3.14159265358979323846;
  if (name == "relu") return x > 0 ? x : 0;
  if (name == "leaky-relu") return x > 0 ? x : 0.01 * x;
  if (name == "elu") return x > 0 ? x : std::exp(x) - 1;
  if (name == "gelu") return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
  if (name == "gelu-tanh")
    return 0.5 * x * (1 + std::tanh(std::sqrt(2 / pi) * (x + 0.044715 * x * x * x)));
  if (name == "swish") return x / (1 + std::exp(-x));
  if (name == "tanh") return std::tanh(x);
  if (name == "sigmoid") return 1 / (1 + std::exp(-x));
  return NAN;
}

class Activations : public ::testing::TestWithParam<const char*> {};

}  // namespace

TEST(Activations, SchemasAreSound) { EXPECT_TRUE(plugin_under_test().schema_problems().empty()); }

TEST_P(Activations, MatchTheirFormulaInEveryLayoutAndFiniteDifferences) {
  const std::string name = GetParam();
  for (const dnnl::memory::dims& shape : {dnnl::memory::dims{1, 3, 7, 5}, dnnl::memory::dims{3, 5}})
    for (Layout layout : all_layouts) {
      LayerHarness h(plugin_under_test().create<Layer>(name), {shape}, 7, layout);
      std::vector<float> expected;
      for (float x : h.input(0)) expected.push_back(static_cast<float>(formula(name, x)));
      EXPECT_EQ(first_difference(h.forward(false), expected, 1e-5), "") << to_string(layout);
      EXPECT_EQ(gradient_failures(h.check_gradients()), "") << to_string(layout);
    }
}

INSTANTIATE_TEST_SUITE_P(All, Activations,
                         ::testing::Values("relu", "leaky-relu", "elu", "gelu", "swish", "tanh",
                                           "sigmoid"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(Activations, ParametersChangeTheFunction) {
  const dnnl::memory::dims shape{1, 3, 7, 5};
  LayerHarness leaky(plugin_under_test().create<Layer>("leaky-relu", Params({{"slope", 0.2}})),
                     {shape});
  LayerHarness elu(plugin_under_test().create<Layer>("elu", Params({{"alpha", 0.5}})), {shape});
  LayerHarness gelu(
      plugin_under_test().create<Layer>("gelu", Params({{"approximation", std::string("tanh")}})),
      {shape});
  std::vector<float> want_leaky, want_elu, want_gelu;
  for (float x : leaky.input(0)) want_leaky.push_back(x > 0 ? x : 0.2f * x);
  for (float x : elu.input(0)) want_elu.push_back(x > 0 ? x : 0.5f * std::expm1(x));
  for (float x : gelu.input(0)) want_gelu.push_back(static_cast<float>(formula("gelu-tanh", x)));
  EXPECT_EQ(first_difference(leaky.forward(false), want_leaky, 1e-6), "") << "leaky-relu 0.2";
  EXPECT_EQ(first_difference(elu.forward(false), want_elu, 1e-6), "") << "elu alpha 0.5";
  EXPECT_EQ(first_difference(gelu.forward(false), want_gelu, 1e-5), "") << "gelu tanh";
}

TEST(Activations, AnUnknownParameterIsRefusedNamingIt) {
  try {
    plugin_under_test().create<Layer>("elu", Params({{"alpah", 0.5}}));
    FAIL() << "accepted a misspelled parameter";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("alpah"), std::string::npos) << e.what();
  }
}
