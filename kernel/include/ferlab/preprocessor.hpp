// Preprocessor plugins: deterministic per-image transforms applied once, before training and
// identically at prediction time.
#pragma once

#include <ferlab/events.hpp>
#include <ferlab/plugin.hpp>
#include <ferlab/sample.hpp>

namespace ferlab {

class FERLAB_API Preprocessor : public PluginObject {
 public:
  static constexpr Kind kind = Kind::preprocessor;
  // Learns dataset statistics (e.g. mean/std) from the train split only. Default: nothing.
  virtual void fit(const std::vector<Sample>& train);
  // Returns the transformed image (8-bit). Must not depend on anything but the image and
  // what fit() learned. Thread-safe.
  virtual cv::Mat apply(const cv::Mat& image, EventSink& events) const = 0;
};

}  // namespace ferlab
