// Shared by the engine tests: layers from the built plugins, a harness that runs one layer on
// chosen shapes, and the finite-difference gradient check.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ferlab/backbone.hpp>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "assembly/plugin_layers.hpp"
#include "engine/network.hpp"
#include "engine/threads.hpp"
#include "loader/plugin_catalog.hpp"

namespace ferlab::test {

using dnnl::memory;
using Overrides = std::map<std::string, Value>;

// These tests run tiny primitives, where OpenMP barriers dominate: on a loaded 2-core machine
// two threads make them ~100x slower. One thread, unless a test asks for more.
inline const bool one_thread_by_default = engine::set_threads(1);

inline const kernel::PluginCatalog& catalog() {
  static const kernel::PluginCatalog instance = [] {
    kernel::LoadDiagnostics diagnostics;
    return kernel::PluginCatalog::load({FERLAB_BINARY_DIR "/lib/ferlab/plugins"}, diagnostics);
  }();
  return instance;
}

inline std::shared_ptr<Layer> make_layer(const std::string& type, const Overrides& overrides) {
  static const engine::LayerFactory factory = assembly::catalog_layer_factory(catalog());
  return factory(LayerDef{"under-test", type, {}, Params(overrides)});
}

inline NetworkDef backbone_def(const std::string& name, const Overrides& overrides,
                               const InputShape& shape, int classes) {
  const kernel::PluginInfo& info = catalog().require(Kind::backbone, name);
  Params params;
  for (const ParamSpec& spec : info.factory.schema) params.set(spec.name, spec.default_value);
  for (const auto& [k, v] : overrides) params.set(k, v);
  return catalog().create<Backbone>(name, params)->build(shape, classes);
}

inline std::int64_t volume(const memory::dims& d) {
  return std::accumulate(d.begin(), d.end(), std::int64_t{1}, std::multiplies<>());
}

inline memory::desc plain(const memory::dims& d) {
  using tag = memory::format_tag;
  const tag tags[] = {tag::undef, tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde};
  return memory::desc(d, memory::data_type::f32, tags[d.size()]);
}

// Distinct values in [-1, 1], at least 2/n apart and none near 0, in random order: finite
// differences never cross a kink (relu at 0, a max changing its winner).
inline std::vector<float> spaced_values(std::size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = (static_cast<float>(i) - static_cast<float>(n / 2) + 0.5f) * (2.f / n);
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

// How the harness hands 4-D inputs to the layer: plain NCHW, blocked by 8 or 16 channels
// (nChw8c, nChw16c: what f32 convolutions produce) or channels last (nhwc: what bf16
// convolutions produce) — layers must accept any layout.
enum class Layout { plain, blocked, blocked16, nhwc };

inline memory::desc layout_desc(const memory::dims& d, Layout layout) {
  using tag = memory::format_tag;
  if (d.size() != 4 || layout == Layout::plain) return plain(d);
  const tag t = layout == Layout::blocked     ? tag::nChw8c
                : layout == Layout::blocked16 ? tag::nChw16c
                                              : tag::nhwc;
  return memory::desc(d, memory::data_type::f32, t);
}

// Copies between layouts with a oneDNN reorder (the layouts are not under test here).
inline void reorder_into(const memory& from, const memory& to, dnnl::stream& stream) {
  memory src = from, dst = to;
  dnnl::reorder(src, dst).execute(stream, src, dst);
  stream.wait();
}

// One layer set up on given input shapes, with random inputs and parameters. Tests read and
// write inputs, outputs and gradients in plain order whatever layouts the layer works in.
class LayerHarness {
 public:
  LayerHarness(const std::string& type, const Overrides& overrides,
               const std::vector<memory::dims>& shapes, std::uint64_t seed = 7,
               Layout layout = Layout::plain)
      : layer_(make_layer(type, overrides)), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    context_.engine = engine_;
    context_.stream = stream_;
    Rng rng(seed);
    std::vector<memory::desc> descs;
    for (const auto& s : shapes) {
      descs.push_back(layout_desc(s, layout));
      inputs_.emplace_back(descs.back(), engine_);
      plain_inputs_.emplace_back(plain(s), engine_);
      const auto values = spaced_values(static_cast<std::size_t>(volume(s)), rng);
      std::copy(values.begin(), values.end(), data(plain_inputs_.back()));
    }
    output_desc_ = layer_->setup(descs, context_);
    output_ = memory(output_desc_, engine_);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    for (Parameter* p : layer_->parameters()) {
      if (!p->trainable()) continue;
      float* w = data(p->value);
      for (std::int64_t i = 0; i < size(p->value); ++i)
        w[i] = p->name == "scale" ? 1.f + u(rng) : u(rng);
    }
  }

  Layer& layer() { return *layer_; }
  memory::dims output_dims() const { return output_desc_.dims(); }
  std::vector<float> input(std::size_t i) const {
    return {data(plain_inputs_[i]), data(plain_inputs_[i]) + size(plain_inputs_[i])};
  }
  void set_input(std::size_t i, const std::vector<float>& values) {
    std::copy(values.begin(), values.end(), data(plain_inputs_[i]));
  }
  memory::desc output_desc() const { return output_desc_; }
  Parameter& parameter(const std::string& name) {
    for (Parameter* p : layer_->parameters())
      if (p->name == name) return *p;
    throw std::invalid_argument("no parameter " + name);
  }
  std::vector<float> values(const std::string& parameter_name) {
    return contents(parameter(parameter_name).value);
  }
  // The parameter's gradient from the last backward().
  std::vector<float> gradients(const std::string& parameter_name) {
    return contents(parameter(parameter_name).grad);
  }

  // Each training-mode forward draws the same random numbers (dropout masks).
  // Tests change inputs and parameters between passes, so every pass counts as new weights.
  std::vector<float> forward(bool training) {
    rng_.seed(12345);
    context_.training = training;
    context_.gradients = training;
    context_.rng = training ? &rng_ : nullptr;
    ++context_.parameters_version;
    for (std::size_t i = 0; i < inputs_.size(); ++i)
      reorder_into(plain_inputs_[i], inputs_[i], stream_);
    layer_->forward(inputs_, output_, context_);
    stream_.wait();
    return plain_values(output_);
  }

  // Σ output · weights, in double: the scalar whose gradient is checked.
  double objective(const std::vector<float>& weights, bool training) {
    const auto out = forward(training);
    double sum = 0;
    for (std::size_t i = 0; i < out.size(); ++i) sum += static_cast<double>(out[i]) * weights[i];
    return sum;
  }

  // Input gradients for output gradient `output_grad` (after a training forward).
  std::vector<std::vector<float>> backward(const std::vector<float>& output_grad) {
    memory plain_grad(plain(output_desc_.dims()), engine_), grad(output_desc_, engine_);
    std::copy(output_grad.begin(), output_grad.end(), data(plain_grad));
    reorder_into(plain_grad, grad, stream_);
    std::vector<memory> input_grads;
    for (const auto& in : inputs_) {
      input_grads.emplace_back(in.get_desc(), engine_);
      std::fill_n(data(input_grads.back()), size(in), std::nanf(""));  // must be overwritten
    }
    layer_->backward(inputs_, output_, grad, input_grads, context_);
    stream_.wait();
    std::vector<std::vector<float>> result;
    for (const auto& g : input_grads) result.push_back(plain_values(g));
    return result;
  }

  // Checks every input gradient and every trainable parameter gradient against central
  // differences of objective() in training mode.
  void expect_gradients_match_finite_differences(double eps = 1e-3) {
    Rng rng(99);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    std::vector<float> weights(static_cast<std::size_t>(volume(output_desc_.dims())));
    for (float& w : weights) w = u(rng);
    forward(true);
    const auto input_grads = backward(weights);
    for (std::size_t i = 0; i < inputs_.size(); ++i)
      compare(data(plain_inputs_[i]), input_grads[i], weights, eps, "input " + std::to_string(i));
    for (Parameter* p : layer_->parameters()) {
      if (!p->trainable()) continue;
      const std::vector<float> analytic = contents(p->grad);
      compare(data(p->value), analytic, weights, eps, "parameter " + p->name);
    }
  }

  static float* data(const memory& m) { return static_cast<float*>(m.get_data_handle()); }
  static std::int64_t size(const memory& m) {
    return static_cast<std::int64_t>(m.get_desc().get_size() / sizeof(float));
  }
  // A plain f32 tensor's values.
  static std::vector<float> contents(const memory& m) { return {data(m), data(m) + size(m)}; }

 private:
  std::vector<float> plain_values(const memory& m) {
    memory p(plain(m.get_desc().dims()), engine_);
    reorder_into(m, p, stream_);
    return {data(p), data(p) + size(p)};
  }

  void compare(float* x, const std::vector<float>& analytic, const std::vector<float>& weights,
               double eps, const std::string& what) {
    double worst = 0;
    std::size_t worst_at = 0;
    double worst_numeric = 0;
    for (std::size_t e = 0; e < analytic.size(); ++e) {
      const float saved = x[e];
      x[e] = static_cast<float>(saved + eps);
      const double plus = objective(weights, true);
      x[e] = static_cast<float>(saved - eps);
      const double minus = objective(weights, true);
      x[e] = saved;
      const double numeric = (plus - minus) / (2 * eps);
      const double error = std::abs(analytic[e] - numeric) / (1.0 + std::abs(numeric));
      if (!(error <= worst)) {  // NaN counts as worst
        worst = std::isnan(error) ? INFINITY : error;
        worst_at = e;
        worst_numeric = numeric;
      }
    }
    EXPECT_LT(worst, 5e-3) << what << " element " << worst_at << ": analytic " << analytic[worst_at]
                           << ", finite difference " << worst_numeric;
  }

  std::shared_ptr<Layer> layer_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  LayerContext context_;
  Rng rng_;
  std::vector<memory> inputs_, plain_inputs_;  // as the layer sees them; as tests see them
  memory::desc output_desc_;
  memory output_;
};

// Expects two float vectors equal within `tolerance` (absolute, plus the same relative).
inline void expect_close(const std::vector<float>& actual, const std::vector<float>& expected,
                         double tolerance, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double limit = tolerance * (1 + std::abs(expected[i]));
    if (!(std::abs(actual[i] - expected[i]) <= limit)) {
      ADD_FAILURE() << what << " element " << i << ": " << actual[i] << " != expected "
                    << expected[i];
      return;
    }
  }
}

}  // namespace ferlab::test
