// Backbone plugins: C++ that composes layers from parameters.
#pragma once

#include <ferlab/network.hpp>
#include <ferlab/plugin.hpp>

namespace ferlab {

struct InputShape {
  int channels = 1, height = 48, width = 48;
};

class FERLAB_API Backbone : public PluginObject {
 public:
  static constexpr Kind kind = Kind::backbone;
  // The whole classifier, ending in `num_classes` logits (the loss is added by the trainer).
  virtual NetworkDef build(const InputShape& input, int num_classes) const = 0;
};

}  // namespace ferlab
