// Registers the structural layers.
#include "structure.hpp"

#include <ferlab/abi.hpp>

namespace ferlab::layers {
namespace {

void register_plugins(Registry& registry) {
  registry.add<Layer>("flatten", "N x C x H x W -> N x (C*H*W)", {},
                      [](const Params&) { return make_flatten(); });
  registry.add<Layer>("add", "element-wise sum of inputs of one shape (residual connections)", {},
                      [](const Params&) { return make_add(); });
  registry.add<Layer>("concat", "joins inputs along the channel axis", {},
                      [](const Params&) { return make_concat(); });
}

}  // namespace
}  // namespace ferlab::layers

FERLAB_PLUGIN("layer-structure", "0.1.0", "flatten, add and concat layers",
              ferlab::layers::register_plugins)
