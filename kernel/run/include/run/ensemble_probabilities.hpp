// What a model or an ensemble says about a dataset's images: the one place where each member
// prepares raw images with its own preprocessing chain and the members' probabilities are
// averaged (evaluate, and distillation teachers that see the original images).
#pragma once

#include <ferlab/sample.hpp>
#include <vector>

#include "assembly/model_set.hpp"
#include "options/train_options.hpp"

namespace ferlab::run {

// The mean of the members' class probabilities for each sample (as its dataset gives it) under
// each of `modes`, in their order: [mode][sample][class]. Throws std::runtime_error naming the
// member and the sample a preprocessing step failed on.
std::vector<std::vector<std::vector<float>>> ensemble_probabilities(
    assembly::ModelSet& models, const std::vector<Sample>& samples,
    const std::vector<options::Tta>& modes);

}  // namespace ferlab::run
