// The LayerFactory the kernel hands to Network: layers from the plugin catalog, their params
// resolved against the plugin's schema.
#pragma once

#include "engine/network.hpp"
#include "loader/plugin_catalog.hpp"

namespace ferlab::assembly {

// Creates LayerDef::type from `catalog` (which must outlive the factory). Throws
// std::invalid_argument naming the layer for an unknown type or bad params.
engine::LayerFactory catalog_layer_factory(const kernel::PluginCatalog& catalog);

}  // namespace ferlab::assembly
