#include "assembly/plugin_layers.hpp"

#include <ferlab/schema_check.hpp>
#include <stdexcept>

namespace ferlab::assembly {

engine::LayerFactory catalog_layer_factory(const kernel::PluginCatalog& catalog) {
  return [&catalog](const LayerDef& def) -> std::shared_ptr<Layer> {
    const std::string where = "layer '" + def.name + "' (" + def.type + "): ";
    try {
      const kernel::PluginInfo& info = catalog.require(Kind::layer, def.type);
      std::vector<std::string> problems;
      Params params = resolve_params(info.factory.schema, def.params, problems);
      if (!problems.empty()) {
        std::string text;
        for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
        throw std::invalid_argument(text);
      }
      return catalog.create<Layer>(def.type, params);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + e.what());
    }
  };
}

}  // namespace ferlab::assembly
