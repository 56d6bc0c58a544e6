// Augmenter plugins: random per-image transforms, applied to training images only.
#pragma once

#include <ferlab/plugin.hpp>
#include <ferlab/sample.hpp>
#include <random>

namespace ferlab {

using Rng = std::mt19937_64;

class FERLAB_API Augmenter : public PluginObject {
 public:
  static constexpr Kind kind = Kind::augmenter;
  // Transforms the image in place. All randomness comes from rng, so a seed fixes the result
  // whatever thread runs it. Thread-safe.
  virtual void apply(cv::Mat& image, Rng& rng) const = 0;
};

}  // namespace ferlab
