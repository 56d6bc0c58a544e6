// Dataset plugins: read labelled images from somewhere and split them.
#pragma once

#include <ferlab/events.hpp>
#include <ferlab/plugin.hpp>
#include <ferlab/sample.hpp>

namespace ferlab {

class FERLAB_API Dataset : public PluginObject {
 public:
  static constexpr Kind kind = Kind::dataset;
  // Must be deterministic: randomness (splits, generation) comes from the plugin's own `seed`
  // parameter, not from the training seed, so runs of several seeds share one loaded dataset.
  virtual DatasetContents load(EventSink& events) = 0;
};

}  // namespace ferlab
