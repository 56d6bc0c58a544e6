// Test-time augmentation: the one place that turns a TTA mode of `evaluate: tta:` into class
// probabilities, so that every mode is evaluated and recorded the same way.
#pragma once

#include <ferlab/sample.hpp>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "options/train_options.hpp"

namespace ferlab::run {

// The views of one image a mode averages over. none: the image; hflip: the image and its
// mirror; ten_crop: crops of side `crop` (0 = 7/8 of the short side, rounded) at the four
// corners and the centre, then their mirrors. Throws std::invalid_argument for a crop larger
// than the image.
std::vector<cv::Mat> tta_views(const cv::Mat& image, options::Tta mode, int crop = 0);

// Class probabilities of each sample with the network as it is: the softmax of every view
// (resized to the network's input when a crop is smaller), averaged over the views.
std::vector<std::vector<float>> tta_probabilities(engine::Network& network,
                                                  const std::vector<Sample>& samples,
                                                  options::Tta mode, int crop = 0);

// The same under each of `modes`, in their order. The unmirrored half of hflip is the pass of
// none: asked for both (as evaluations are), the network runs over the images once for it.
std::vector<std::vector<std::vector<float>>> tta_probabilities(
    engine::Network& network, const std::vector<Sample>& samples,
    const std::vector<options::Tta>& modes, int crop = 0);

}  // namespace ferlab::run
