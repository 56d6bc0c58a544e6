// Test-time augmentation: the one place that turns a TTA mode of `evaluate: tta:` into class
// probabilities, so that every mode is evaluated and recorded the same way.
#pragma once

#include <ferlab/sample.hpp>
#include <string>
#include <vector>

#include "engine/network.hpp"

namespace ferlab::run {

// Class probabilities of each sample with the network as it is. "none": the images as they
// are. Throws std::invalid_argument naming a mode this build does not know.
std::vector<std::vector<float>> tta_probabilities(engine::Network& network,
                                                  const std::vector<Sample>& samples,
                                                  const std::string& mode);

}  // namespace ferlab::run
