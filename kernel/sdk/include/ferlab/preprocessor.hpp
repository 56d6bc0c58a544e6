// Preprocessor plugins: deterministic per-image transforms applied once, before training and
// identically at prediction time.
#pragma once

#include <ferlab/events.hpp>
#include <ferlab/plugin.hpp>
#include <ferlab/sample.hpp>
#include <string>

namespace ferlab {

class FERLAB_API Preprocessor : public PluginObject {
 public:
  static constexpr Kind kind = Kind::preprocessor;
  // Learns dataset statistics (e.g. mean/std) from the train split only. Default: nothing.
  virtual void fit(const std::vector<Sample>& train);
  // What fit() learned, as text restore() reads back (default: "", nothing learned). A model's
  // checkpoints carry it, so prediction applies the train split's statistics without the data.
  virtual std::string fitted_state() const;
  // Takes back what fitted_state() returned. Throws std::invalid_argument on text it cannot
  // read (the default accepts only "").
  virtual void restore(const std::string& state);
  // Returns the transformed image (8-bit). Must not depend on anything but the image and
  // what fit() learned. Thread-safe.
  virtual cv::Mat apply(const cv::Mat& image, EventSink& events) const = 0;
};

}  // namespace ferlab
