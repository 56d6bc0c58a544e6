// Grad-CAM (Selvaraju et al. 2017): where in the image the evidence for a class lies, from the
// last spatial feature map A (channels k) and the gradient of the class logit with respect to it.
#pragma once

#include <ferlab/sample.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/network.hpp"

namespace ferlab::run {

// ReLU(sum_k w_k A_k) with w_k the spatial mean of the gradient G_k; A and G are one image's
// channels x height x width values. Returns height x width values (not normalised).
std::vector<float> grad_cam_map(const float* activations, const float* gradients, int channels,
                                int height, int width);

struct FeatureMap {
  std::string layer;
  int channels = 0, height = 0, width = 0;
};

// The last layer whose output is still a spatial map (height and width above 1).
std::optional<FeatureMap> last_feature_map(const engine::Network& network);

// One Grad-CAM map per image, for the class given for it (from an explain pass and backward;
// the network's parameters are not changed).
std::vector<std::vector<float>> grad_cam(engine::Network& network, const FeatureMap& map,
                                         const std::vector<const Sample*>& images,
                                         const std::vector<int>& classes);

}  // namespace ferlab::run
