// Images into network input: pixel / 255 as float NCHW.
#pragma once

#include <ferlab/backbone.hpp>
#include <ferlab/sample.hpp>

namespace ferlab::engine {

// Writes one 8-bit image as channels x height x width floats in [0, 1] to `out`. Converts
// grayscale <-> BGR and resizes when the image differs from `shape`.
void image_to_tensor(const cv::Mat& image, const InputShape& shape, float* out);

}  // namespace ferlab::engine
