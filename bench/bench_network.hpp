// The reference networks, built exactly as ferlab builds them: backbone plugin with its
// default parameters -> NetworkDef -> layers from the layer plugins.
#pragma once

#include <memory>
#include <string>

#include "engine/network.hpp"
#include "loader/plugin_catalog.hpp"

namespace ferlab::bench {

inline constexpr InputShape reference_input{1, 48, 48};
inline constexpr int reference_classes = 7;

// The plugins next to the executable (build tree or install), loaded once. Throws when a
// library was refused: a benchmark on a partial catalog would mislead.
const kernel::PluginCatalog& catalog();

// `backbone` (seed-cnn, vgg, ...) with its defaults on 1x48x48 and 7 classes, but for the
// backbone parameters `given` (e.g. conv_algorithm), He-initialised from a fixed seed. `make`
// defaults to the catalog's layer factory.
std::unique_ptr<engine::Network> reference_network(const std::string& backbone,
                                                   const Params& given = {},
                                                   const engine::LayerFactory& make = {});

}  // namespace ferlab::bench
