#include "common.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace ferlab::cli {

bool load_catalog(const GlobalOptions& options, kernel::PluginCatalog& catalog) {
  kernel::LoadDiagnostics diagnostics;
  catalog =
      kernel::PluginCatalog::load(kernel::plugin_search_path(options.plugin_dirs), diagnostics);
  for (const auto& w : diagnostics.warnings) fmt::print(stderr, "warning: {}\n", w);
  for (const auto& e : diagnostics.errors) fmt::print(stderr, "error: {}\n", e);
  return diagnostics.errors.empty();
}

}  // namespace ferlab::cli
