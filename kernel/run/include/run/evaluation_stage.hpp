// The evaluate stage of a run: final metrics, confusion matrix and every prediction of one
// checkpoint on one split under one test-time augmentation mode.
#pragma once

#include <ferlab/sample.hpp>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "options/train_options.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {

struct SplitEvaluation {
  storage::Evaluation figures;
  storage::PredictionSet predictions;
};

// Metrics, confusion matrix and predictions from class probabilities (one vector per sample,
// e.g. an ensemble's mean); `checkpoint` ("best" or "last") only labels the result.
SplitEvaluation evaluate_probabilities(std::vector<std::vector<float>> probabilities,
                                       const std::vector<Sample>& samples, int classes,
                                       const std::string& split, options::Tta tta,
                                       const std::string& checkpoint);

// Evaluates the network as it is under each TTA mode, in their order; `checkpoint` ("best" or
// "last") only labels the results.
std::vector<SplitEvaluation> evaluate_checkpoint(engine::Network& network,
                                                 const std::vector<Sample>& samples, int classes,
                                                 const std::string& split,
                                                 const std::vector<options::Tta>& modes,
                                                 const std::string& checkpoint);

}  // namespace ferlab::run
