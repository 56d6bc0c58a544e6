// Per-layer timing without touching the engine: a LayerFactory that wraps every layer the
// real factory makes in a decorator that times its forward and backward calls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/network.hpp"

namespace ferlab::bench {

struct LayerTimes {
  std::string name, type;
  double forward_seconds = 0, backward_seconds = 0;
  int forward_calls = 0, backward_calls = 0;
};

class LayerProfile {
 public:
  // Layers made by the returned factory report here; the profile must outlive them.
  engine::LayerFactory wrap(engine::LayerFactory inner);
  void reset();
  // In network order (the order the factory was called).
  const std::vector<std::shared_ptr<LayerTimes>>& layers() const { return layers_; }

 private:
  std::vector<std::shared_ptr<LayerTimes>> layers_;
};

}  // namespace ferlab::bench
