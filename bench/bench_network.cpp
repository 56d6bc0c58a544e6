#include "bench_network.hpp"

#include <ferlab/schema_check.hpp>
#include <stdexcept>

#include "assembly/plugin_layers.hpp"
#include "engine/initialize.hpp"

namespace ferlab::bench {

const kernel::PluginCatalog& catalog() {
  static const kernel::PluginCatalog instance = [] {
    kernel::LoadDiagnostics diagnostics;
    auto loaded = kernel::PluginCatalog::load(kernel::plugin_search_path({}), diagnostics);
    if (!diagnostics.errors.empty())
      throw std::runtime_error("plugin catalog: " + diagnostics.errors.front());
    return loaded;
  }();
  return instance;
}

std::unique_ptr<engine::Network> reference_network(const std::string& backbone, const Params& given,
                                                   const engine::LayerFactory& make) {
  const kernel::PluginInfo& info = catalog().require(Kind::backbone, backbone);
  std::vector<std::string> problems;
  const Params params = resolve_params(info.factory.schema, given, problems);
  if (!problems.empty()) throw std::runtime_error(backbone + ": " + problems.front());
  const NetworkDef def =
      catalog().create<Backbone>(backbone, params)->build(reference_input, reference_classes);
  auto network = std::make_unique<engine::Network>(
      def, make ? make : assembly::catalog_layer_factory(catalog()), reference_input);
  engine::initialize_parameters(network->parameters(), options::Init::he, 42);
  return network;
}

}  // namespace ferlab::bench
