// A plugin author's test kit (header-only, installed with the SDK): load the plugin library as
// ferlab does, create its objects by name with parameters resolved against their schemas, and
// check a layer against the author's reference loops on plain and blocked layouts and against
// central finite differences; check preprocessors and augmenters for determinism. It uses no
// test framework: checks return what they found, and the test asserts on it.
// `ferlab_add_plugin(NAME SOURCES ... TESTS x_test.cpp)` builds x_test.cpp with GoogleTest,
// FERLAB_PLUGIN_UNDER_TEST naming the plugin's library file (see plugins/README.md).
#pragma once

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>
#include <ferlab/augmenter.hpp>
#include <ferlab/layer.hpp>
#include <ferlab/layer_support.hpp>
#include <ferlab/preprocessor.hpp>
#include <ferlab/schema_check.hpp>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ferlab::plugin_test {

// One plugin library loaded as ferlab loads it. The library stays loaded until the process
// ends: objects it created may outlive this handle.
class PluginLibrary {
 public:
  explicit PluginLibrary(const std::string& path) : path_(path) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw std::runtime_error(path + ": cannot load: " + ::dlerror());
    using Entry = const ferlab_plugin_descriptor* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, "ferlab_plugin_entry"));
    if (!entry) throw std::runtime_error(path + ": no FERLAB_PLUGIN entry point");
    const ferlab_plugin_descriptor* descriptor = entry();
    if (const std::string problem = descriptor_problem(descriptor); !problem.empty())
      throw std::runtime_error(path + ": refused, " + problem);
    factories_ = registered_factories(*descriptor);
  }

  const std::vector<Factory>& factories() const { return factories_; }

  const Factory& factory(Kind kind, const std::string& name) const {
    for (const Factory& f : factories_)
      if (f.kind == kind && f.name == name) return f;
    throw std::invalid_argument(path_ + " has no " + to_string(kind) + " plugin '" + name + "'");
  }

  // Problems in the declared schemas (bad defaults, duplicate names, empty choices), each
  // prefixed with the plugin's name; empty when all are sound.
  std::vector<std::string> schema_problems() const {
    std::vector<std::string> out;
    for (const Factory& f : factories_)
      for (const std::string& p : check_schema(f.schema)) out.push_back(f.name + ": " + p);
    return out;
  }

  // An object of plugin `name`, its parameters `given` over the schema's defaults, checked as a
  // spec's would be; throws std::invalid_argument listing the problems.
  template <class Interface>
  std::unique_ptr<Interface> create(const std::string& name, const Params& given = {}) const {
    const Factory& f = factory(Interface::kind, name);
    std::vector<std::string> problems;
    const Params params = resolve_params(f.schema, given, problems);
    if (!problems.empty()) {
      std::string text = name + ":";
      for (const std::string& p : problems) text += " " + p + ";";
      throw std::invalid_argument(text);
    }
    std::unique_ptr<PluginObject> object = f.create(params);
    auto* typed = dynamic_cast<Interface*>(object.get());
    if (!typed) throw std::logic_error(name + " created an object of another kind");
    object.release();
    return std::unique_ptr<Interface>(typed);
  }

 private:
  std::string path_;
  std::vector<Factory> factories_;
};

#ifdef FERLAB_PLUGIN_UNDER_TEST
// The library ferlab_add_plugin(... TESTS ...) built this test for, loaded once.
inline const PluginLibrary& plugin_under_test() {
  static const PluginLibrary library(FERLAB_PLUGIN_UNDER_TEST);
  return library;
}
#endif

// How a harness hands 4-D tensors to a layer: plain NCHW, blocked by 8 or 16 channels (what f32
// convolutions produce) or channels last (what bf16 convolutions produce). A layer must accept
// every one of them.
enum class Layout { plain, blocked8, blocked16, nhwc };
inline constexpr Layout all_layouts[] = {Layout::plain, Layout::blocked8, Layout::blocked16,
                                         Layout::nhwc};
inline const char* to_string(Layout layout) {
  switch (layout) {
    case Layout::plain:
      return "plain";
    case Layout::blocked8:
      return "nChw8c";
    case Layout::blocked16:
      return "nChw16c";
    case Layout::nhwc:
      return "nhwc";
  }
  return "?";
}

using layers::plain_desc;  // the plain f32 layout of a shape (rank 1 to 5)
using layers::volume;      // elements of a shape

// The descriptor of a tensor of dims `d` in `layout` (ranks other than 4 stay plain).
inline dnnl::memory::desc layout_desc(const dnnl::memory::dims& d, Layout layout) {
  using tag = dnnl::memory::format_tag;
  if (d.size() != 4 || layout == Layout::plain) return plain_desc(d);
  const tag t = layout == Layout::blocked8    ? tag::nChw8c
                : layout == Layout::blocked16 ? tag::nChw16c
                                              : tag::nhwc;
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, t);
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

// The worst disagreement of one gradient with central differences: |analytic - numeric| /
// (1 + |numeric|) at `element` (infinity when either is NaN).
struct GradientCheck {
  std::string what;  // "input 0", "parameter weights"
  double worst = 0;
  std::size_t element = 0;
  double analytic = 0, numeric = 0;
};

// The checks that exceed `tolerance`, one line each; empty when every gradient agrees. 5e-3 leaves
// room for float rounding at the default step; a wrong gradient is off by far more.
inline std::string gradient_failures(const std::vector<GradientCheck>& checks,
                                     double tolerance = 5e-3) {
  std::string out;
  for (const GradientCheck& c : checks)
    if (!(c.worst <= tolerance))
      out += c.what + " element " + std::to_string(c.element) + ": analytic " +
             std::to_string(c.analytic) + ", finite difference " + std::to_string(c.numeric) + "\n";
  return out;
}

// The first element where `actual` and `expected` differ by more than `tolerance` (absolute,
// plus the same relative), as a message; empty when they agree everywhere.
inline std::string first_difference(const std::vector<float>& actual,
                                    const std::vector<float>& expected, double tolerance) {
  if (actual.size() != expected.size())
    return std::to_string(actual.size()) + " values where " + std::to_string(expected.size()) +
           " were expected";
  for (std::size_t i = 0; i < actual.size(); ++i)
    if (!(std::abs(actual[i] - expected[i]) <= tolerance * (1 + std::abs(expected[i]))))
      return "element " + std::to_string(i) + ": " + std::to_string(actual[i]) +
             " where the reference gives " + std::to_string(expected[i]);
  return "";
}

// One layer set up on given input shapes in a chosen layout, with spaced random inputs and
// uniform random parameters. Tests read and write inputs, outputs and gradients in plain
// (row-major) order whatever layouts the layer works in.
class LayerHarness {
 public:
  LayerHarness(std::shared_ptr<Layer> layer, const std::vector<dnnl::memory::dims>& shapes,
               std::uint64_t seed = 7, Layout layout = Layout::plain)
      : layer_(std::move(layer)), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    context_.engine = engine_;
    context_.stream = stream_;
    Rng rng(seed);
    std::vector<dnnl::memory::desc> descs;
    for (const auto& s : shapes) {
      descs.push_back(layout_desc(s, layout));
      inputs_.emplace_back(descs.back(), engine_);
      plain_inputs_.emplace_back(plain_desc(s), engine_);
      const auto values = spaced_values(static_cast<std::size_t>(volume(s)), rng);
      std::copy(values.begin(), values.end(), data(plain_inputs_.back()));
    }
    output_desc_ = layer_->setup(descs, context_);
    output_ = dnnl::memory(output_desc_, engine_);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    for (Parameter* p : layer_->parameters()) {
      if (!p->trainable()) continue;
      float* w = data(p->value);
      for (std::int64_t i = 0; i < size(p->value); ++i)
        w[i] = p->init == Parameter::Init::ones ? 1.f + u(rng) : u(rng);
    }
  }

  Layer& layer() { return *layer_; }
  // What forward() and backward() pass the layer (set `processes` to train it data-parallel).
  LayerContext& context() { return context_; }
  dnnl::memory::dims output_dims() const { return output_desc_.dims(); }
  dnnl::memory::desc output_desc() const { return output_desc_; }
  std::vector<float> input(std::size_t i) const { return contents(plain_inputs_.at(i)); }
  void set_input(std::size_t i, const std::vector<float>& values) {
    if (values.size() != static_cast<std::size_t>(size(plain_inputs_.at(i))))
      throw std::invalid_argument("set_input: wrong number of values");
    std::copy(values.begin(), values.end(), data(plain_inputs_[i]));
  }
  Parameter& parameter(const std::string& name) {
    for (Parameter* p : layer_->parameters())
      if (p->name == name) return *p;
    throw std::invalid_argument("the layer has no parameter '" + name + "'");
  }
  std::vector<float> values(const std::string& name) { return contents(parameter(name).value); }
  // The parameter's gradient from the last backward().
  std::vector<float> gradients(const std::string& name) { return contents(parameter(name).grad); }

  // The output in plain order. Each training pass draws the same random numbers (dropout
  // masks), and counts as new weights (parameters_version changes).
  std::vector<float> forward(bool training) {
    rng_.seed(12345);
    context_.training = training;
    context_.gradients = training;
    context_.rng = training ? &rng_ : nullptr;
    ++context_.parameters_version;
    for (std::size_t i = 0; i < inputs_.size(); ++i) reorder(plain_inputs_[i], inputs_[i]);
    layer_->forward(inputs_, output_, context_);
    stream_.wait();
    return plain_values(output_);
  }

  // Input gradients (plain order) for output gradient `output_grad`, after a training forward;
  // parameter gradients are left in the parameters. Input gradients start as NaN, so a layer
  // that leaves an element unwritten fails the checks.
  std::vector<std::vector<float>> backward(const std::vector<float>& output_grad) {
    dnnl::memory plain_grad(plain_desc(output_desc_.dims()), engine_), grad(output_desc_, engine_);
    std::copy(output_grad.begin(), output_grad.end(), data(plain_grad));
    reorder(plain_grad, grad);
    std::vector<dnnl::memory> input_grads;
    for (const auto& in : inputs_) {
      input_grads.emplace_back(in.get_desc(), engine_);
      std::fill_n(data(input_grads.back()), size(in), std::numeric_limits<float>::quiet_NaN());
    }
    layer_->backward(inputs_, output_, grad, input_grads, context_);
    stream_.wait();
    std::vector<std::vector<float>> result;
    for (const auto& g : input_grads) result.push_back(plain_values(g));
    return result;
  }

  // Every input gradient and trainable parameter gradient against central differences (step
  // `eps`) of sum(output * w) for random w, in training mode: one entry each, its worst element.
  std::vector<GradientCheck> check_gradients(double eps = 1e-3) {
    Rng rng(99);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    std::vector<float> weights(static_cast<std::size_t>(volume(output_desc_.dims())));
    for (float& w : weights) w = u(rng);
    forward(true);
    const auto input_grads = backward(weights);
    std::vector<GradientCheck> out;
    for (std::size_t i = 0; i < inputs_.size(); ++i)
      out.push_back(compare(data(plain_inputs_[i]), input_grads[i], weights, eps,
                            "input " + std::to_string(i)));
    for (Parameter* p : layer_->parameters())
      if (p->trainable())
        out.push_back(
            compare(data(p->value), contents(p->grad), weights, eps, "parameter " + p->name));
    return out;
  }

  static float* data(const dnnl::memory& m) { return layers::data(m); }
  static std::int64_t size(const dnnl::memory& m) { return layers::elements(m); }
  // A plain f32 tensor's values.
  static std::vector<float> contents(const dnnl::memory& m) { return {data(m), data(m) + size(m)}; }

 private:
  void reorder(const dnnl::memory& from, const dnnl::memory& to) {
    dnnl::memory src = from, dst = to;
    dnnl::reorder(src, dst).execute(stream_, src, dst);
    stream_.wait();
  }

  std::vector<float> plain_values(const dnnl::memory& m) {
    dnnl::memory p(plain_desc(m.get_desc().dims()), engine_);
    reorder(m, p);
    return contents(p);
  }

  double objective(const std::vector<float>& weights) {
    const auto out = forward(true);
    double sum = 0;
    for (std::size_t i = 0; i < out.size(); ++i) sum += static_cast<double>(out[i]) * weights[i];
    return sum;
  }

  GradientCheck compare(float* x, const std::vector<float>& analytic,
                        const std::vector<float>& weights, double eps, std::string what) {
    GradientCheck check{std::move(what)};
    for (std::size_t e = 0; e < analytic.size(); ++e) {
      const float saved = x[e];
      x[e] = static_cast<float>(saved + eps);
      const double plus = objective(weights);
      x[e] = static_cast<float>(saved - eps);
      const double minus = objective(weights);
      x[e] = saved;
      const double numeric = (plus - minus) / (2 * eps);
      double error = std::abs(analytic[e] - numeric) / (1.0 + std::abs(numeric));
      if (std::isnan(error)) error = std::numeric_limits<double>::infinity();
      if (e == 0 || error > check.worst) check = {check.what, error, e, analytic[e], numeric};
    }
    return check;
  }

  std::shared_ptr<Layer> layer_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  LayerContext context_;
  Rng rng_;
  std::vector<dnnl::memory> inputs_, plain_inputs_;  // as the layer sees them; as tests see them
  dnnl::memory::desc output_desc_;
  dnnl::memory output_;
};

// An event sink that keeps what it is told, for preprocessors under test.
class RecordingSink final : public EventSink {
 public:
  void warn(const std::string& code, const std::string& message) override {
    warnings.push_back(code + ": " + message);
  }
  void count(const std::string& code, long n = 1) override { counts.push_back({code, n}); }
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, long>> counts;
};

// Whether two images are the same size, type and pixels.
inline bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

// Augmenters take all their randomness from the generator they are given: the same seed must
// give the same pixels. Empty when it does; else what differed.
inline std::string check_augmenter_determinism(const Augmenter& augmenter, const cv::Mat& image,
                                               std::uint64_t seed = 1) {
  cv::Mat first = image.clone(), second = image.clone();
  Rng a(seed), b(seed);
  augmenter.apply(first, a);
  augmenter.apply(second, b);
  if (!same_pixels(first, second)) return "the same seed gave different images";
  if (a() != b()) return "the same seed left the generator in different states";
  return "";
}

// A preprocessor is a function of the image (and of what fit() learned): two applications give
// the same pixels, and a non-empty image. Empty when so; else what went wrong.
inline std::string check_preprocessor_determinism(const Preprocessor& preprocessor,
                                                  const cv::Mat& image) {
  RecordingSink events;
  const cv::Mat first = preprocessor.apply(image, events),
                second = preprocessor.apply(image, events);
  if (first.empty()) return "it returned no pixels";
  if (!same_pixels(first, second)) return "two applications to one image differ";
  return "";
}

}  // namespace ferlab::plugin_test
