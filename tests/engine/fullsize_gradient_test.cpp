// Gradients of a whole backbone at full 48x48 size (where oneDNN picks other kernels and
// layouts than on the small shapes of the layer tests) against central finite differences,
// for a sample of weights in every layer.
#include "engine/initialize.hpp"
#include "engine/loss.hpp"
#include "engine_fixture.hpp"

namespace ferlab::test {
namespace {

float* floats(const dnnl::memory& m) { return static_cast<float*>(m.get_data_handle()); }

// seed-cnn's shape with smooth layers (tanh, average pooling), so that finite differences
// do not cross kinks.
NetworkDef smooth_seed_cnn() {
  auto l = [](std::string name, std::string type, Overrides p = {}) {
    return LayerDef{std::move(name), std::move(type), {}, Params(std::move(p))};
  };
  NetworkDef def;
  for (std::int64_t width : {8, 16, 16}) {
    const std::string n = std::to_string(width) + "_" + std::to_string(def.layers.size());
    def.layers.push_back(
        l("conv" + n, "convolution", {{"filters", width}, {"padding", std::int64_t{1}}}));
    def.layers.push_back(l("act" + n, "tanh"));
    def.layers.push_back(l("pool" + n, "avg-pool"));
  }
  def.layers.push_back(l("flatten", "flatten"));
  def.layers.push_back(l("fc", "dense", {{"units", std::int64_t{32}}}));
  def.layers.push_back(l("fc_act", "tanh"));
  def.layers.push_back(l("logits", "dense", {{"units", std::int64_t{7}}}));
  return def;
}

// One parameter tensor's sampled gradient elements: backward's and central differences'.
struct SampledGradient {
  std::string tensor;
  std::vector<std::int64_t> elements;
  std::vector<double> analytic, numeric;
  double scale = 0;  // the largest |analytic| of the whole tensor
};

// The loss gradient of every trainable tensor (12 sampled elements each) against central
// finite differences (eps 1e-3), on 4 uniform random images of `shape`.
std::vector<SampledGradient> sampled_gradients(const NetworkDef& def, const InputShape& shape) {
  engine::Network net(def, assembly::catalog_layer_factory(catalog()), shape);
  engine::initialize_parameters(net.parameters(), options::Init::he, 1);
  const int batch = 4;
  net.prepare(batch);
  Rng rng(2);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  const int pixels = shape.channels * shape.height * shape.width;
  for (int i = 0; i < batch * pixels; ++i) net.input()[i] = u(rng);
  const std::vector<int> labels{0, 3, 6, 2};
  auto loss = [&](float* grad) {
    const float* logits = net.forward(true);
    return engine::softmax_cross_entropy(logits, labels.data(), batch, 7, {}, grad);
  };
  loss(net.output_grad());
  net.backward();
  std::vector<SampledGradient> out;
  for (const auto& [name, p] : net.named_parameters()) {
    if (!p->trainable()) continue;  // batchnorm's running statistics
    SampledGradient g{name, {}, {}, {}, 0};
    const std::int64_t n = LayerHarness::size(p->value);
    const float* grad = floats(p->grad);
    for (std::int64_t e = 0; e < n; ++e)
      g.scale = std::max(g.scale, static_cast<double>(std::abs(grad[e])));
    for (int k = 0; k < 12; ++k) g.elements.push_back((k * 7919) % n);
    for (std::int64_t e : g.elements) g.analytic.push_back(grad[e]);  // before any new pass
    float* x = floats(p->value);
    for (std::int64_t e : g.elements) {
      const float saved = x[e];
      const double eps = 1e-3;
      x[e] = static_cast<float>(saved + eps);
      net.parameters_changed();
      const double plus = loss(nullptr);
      x[e] = static_cast<float>(saved - eps);
      net.parameters_changed();
      const double minus = loss(nullptr);
      x[e] = saved;
      net.parameters_changed();
      g.numeric.push_back((plus - minus) / (2 * eps));
    }
    out.push_back(std::move(g));
  }
  return out;
}

TEST(FullSizeGradients, SeedCnnShapedLossGradientMatchesFiniteDifferences) {
  for (const SampledGradient& g : sampled_gradients(smooth_seed_cnn(), InputShape{1, 48, 48}))
    for (std::size_t i = 0; i < g.elements.size(); ++i)
      EXPECT_NEAR(g.analytic[i], g.numeric[i], 1e-2 * g.scale + 1e-4)
          << g.tensor << " element " << g.elements[i];
}

// The other backbones as the plugins build them (residual adds, depthwise and pointwise
// convolutions, batchnorm on batch statistics, global pooling), with a smooth activation and
// few channels, on 32x32 images. They keep their max-pooling, whose kinks a difference
// sometimes straddles (one element a few % off), and the loss of float logits is good to ~1e-6
// (/ 2 eps: ~1e-3 of noise, which matters where the true gradient is ~0, as for a batchnorm
// shift the next batchnorm's mean subtraction cancels). So each tensor's sampled elements are
// compared as a vector: |analytic - numeric| within 5% of |numeric| plus that noise. A wrong
// sign, index or missing term in a backward pass is off by 50-200%.
TEST(FullSizeGradients, ResnetMobilenetAndMiniXceptionGradientsMatchFiniteDifferences) {
  const InputShape shape{1, 32, 32};
  const std::vector<std::pair<std::string, Overrides>> backbones = {
      {"resnet",
       {{"depth", std::string("10")},
        {"width", std::int64_t{4}},
        {"activation", std::string("swish")}}},
      {"mobilenet",
       {{"width", 0.25},
        {"head", std::int64_t{16}},
        {"dropout", 0.0},
        {"activation", std::string("swish")}}},
      {"mini-xception",
       {{"stem", std::int64_t{4}},
        {"widths", std::vector<std::int64_t>{8, 8}},
        {"activation", std::string("swish")}}},
  };
  for (const auto& [backbone, overrides] : backbones) {
    const auto gradients = sampled_gradients(backbone_def(backbone, overrides, shape, 7), shape);
    EXPECT_GT(gradients.size(), 8u) << backbone;
    for (const SampledGradient& g : gradients) {
      double difference = 0, size = 0;
      for (std::size_t i = 0; i < g.elements.size(); ++i) {
        difference += std::pow(g.analytic[i] - g.numeric[i], 2);
        size += std::pow(g.numeric[i], 2);
      }
      const double noise = 1e-3 * std::sqrt(static_cast<double>(g.elements.size()));
      EXPECT_LE(std::sqrt(difference), 0.05 * std::sqrt(size) + noise)
          << backbone << " " << g.tensor << ": |numeric| " << std::sqrt(size);
    }
  }
}

// The kinked layers at full size, against their exact gradients: max pooling routes each
// output gradient to its window's maximum, relu passes it where the input is positive.
TEST(FullSizeGradients, MaxPoolAndReluRouteGradientsExactly) {
  const memory::dims shape{4, 16, 48, 48};
  LayerHarness pool("max-pool", {{"kernel", std::int64_t{2}}}, {shape});
  LayerHarness relu("relu", {}, {shape});
  const auto x = pool.input(0);
  Rng rng(3);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> g(static_cast<std::size_t>(4 * 16 * 24 * 24));
  for (float& v : g) v = u(rng);
  pool.forward(true);
  const auto dx = pool.backward(g)[0];
  std::vector<float> want(x.size(), 0.f);
  for (int plane = 0; plane < 4 * 16; ++plane)
    for (int y = 0; y < 24; ++y)
      for (int c = 0; c < 24; ++c) {
        int best = plane * 2304 + (2 * y) * 48 + 2 * c;
        for (int k = 1; k < 4; ++k) {
          const int at = plane * 2304 + (2 * y + k / 2) * 48 + 2 * c + k % 2;
          if (x[at] > x[best]) best = at;
        }
        want[best] = g[(plane * 24 + y) * 24 + c];
      }
  expect_close(dx, want, 0, "max-pool gradient");

  std::vector<float> g2(x.size());
  for (float& v : g2) v = u(rng);
  relu.forward(true);
  const auto rx = relu.input(0);
  const auto rdx = relu.backward(g2)[0];
  std::vector<float> want2(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) want2[i] = rx[i] > 0 ? g2[i] : 0.f;
  expect_close(rdx, want2, 0, "relu gradient");
}

}  // namespace
}  // namespace ferlab::test
