// The spec loader on arbitrary text: ${VAR} expansion, YAML parsing, aliases, sweeps, seeds and
// validation against the kernel's schema (no plugins). Any outcome but a crash, a leak, a hang
// or unbounded memory is fine: invalid specs are reported as problems.
#include <cstdint>
#include <string>

#include "spec/spec_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const ferlab::kernel::PluginCatalog catalog = [] {
    ferlab::kernel::LoadDiagnostics diagnostics;
    return ferlab::kernel::PluginCatalog::load({}, diagnostics);
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  ferlab::spec::load_spec_text(text, "fuzz.yaml", {}, catalog);
  return 0;
}
