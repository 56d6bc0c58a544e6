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

TEST(FullSizeGradients, SeedCnnShapedLossGradientMatchesFiniteDifferences) {
  const InputShape shape{1, 48, 48};
  engine::Network net(smooth_seed_cnn(), engine::catalog_layer_factory(catalog()), shape);
  engine::initialize_parameters(net.parameters(), "he", 1);
  const int batch = 4;
  net.prepare(batch);
  Rng rng(2);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (int i = 0; i < batch * 48 * 48; ++i) net.input()[i] = u(rng);
  const std::vector<int> labels{0, 3, 6, 2};
  auto loss = [&](float* grad) {
    const float* logits = net.forward(true);
    return engine::softmax_cross_entropy(logits, labels.data(), batch, 7, {}, grad);
  };
  loss(net.output_grad());
  net.backward();
  for (const auto& [name, p] : net.named_parameters()) {
    const std::int64_t n = LayerHarness::size(p->value);
    const std::vector<float> analytic(floats(p->grad), floats(p->grad) + n);
    float* x = floats(p->value);
    double scale = 0;
    for (float g : analytic) scale = std::max(scale, static_cast<double>(std::abs(g)));
    for (int k = 0; k < 12; ++k) {
      const std::int64_t e = (k * 7919) % n;
      const float saved = x[e];
      const double eps = 1e-3;
      x[e] = static_cast<float>(saved + eps);
      const double plus = loss(nullptr);
      x[e] = static_cast<float>(saved - eps);
      const double minus = loss(nullptr);
      x[e] = saved;
      const double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(analytic[e], numeric, 1e-2 * scale + 1e-4) << name << " element " << e;
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
