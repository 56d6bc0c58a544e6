// The test fixture plugins (tests/fixtures/good: fixture-dataset, fixture-net, ...), loaded once
// per test program, for tests that read specs without the built-in plugins.
#pragma once

#include "loader/plugin_catalog.hpp"

namespace ferlab::testing_support {

inline const kernel::PluginCatalog& fixture_catalog() {
  static const kernel::PluginCatalog catalog = [] {
    kernel::LoadDiagnostics diagnostics;
    return kernel::PluginCatalog::load({FERLAB_BINARY_DIR "/tests/fixtures/good"}, diagnostics);
  }();
  return catalog;
}

}  // namespace ferlab::testing_support
