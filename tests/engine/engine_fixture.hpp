// Shared by the engine tests: layers from the built plugins, and the SDK's plugin test kit
// (a harness that runs one layer on chosen shapes and layouts, the finite-difference check).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ferlab/backbone.hpp>
#include <ferlab/testing.hpp>
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

using plugin_test::Layout;
using plugin_test::spaced_values;
using plugin_test::volume;

inline memory::desc plain(const memory::dims& d) { return plugin_test::plain_desc(d); }

// The SDK's harness (ferlab/testing.hpp) on a layer from the built plugins, its checks turned
// into GoogleTest expectations.
class LayerHarness : public plugin_test::LayerHarness {
 public:
  LayerHarness(const std::string& type, const Overrides& overrides,
               const std::vector<memory::dims>& shapes, std::uint64_t seed = 7,
               Layout layout = Layout::plain)
      : plugin_test::LayerHarness(make_layer(type, overrides), shapes, seed, layout) {}

  void expect_gradients_match_finite_differences(double eps = 1e-3) {
    for (const plugin_test::GradientCheck& c : check_gradients(eps))
      EXPECT_LT(c.worst, 5e-3) << c.what << " element " << c.element << ": analytic " << c.analytic
                               << ", finite difference " << c.numeric;
  }
};

// Expects two float vectors equal within `tolerance` (absolute, plus the same relative).
inline void expect_close(const std::vector<float>& actual, const std::vector<float>& expected,
                         double tolerance, const std::string& what) {
  const std::string difference = plugin_test::first_difference(actual, expected, tolerance);
  EXPECT_TRUE(difference.empty()) << what << ": " << difference;
}

}  // namespace ferlab::test
