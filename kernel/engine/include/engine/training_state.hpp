// What training needs, beyond the weights, to continue after an epoch exactly as if it had
// never stopped: optimizer moments, schedule, random streams and the best epoch so far. It
// travels in the last checkpoint (CheckpointInfo::metadata and ::state).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/checkpoint.hpp"

namespace ferlab::engine {

struct TrainingState {
  int epochs_done = 0;
  bool stopped_early = false;  // training is over although epochs_done < epochs
  long optimizer_steps = 0;
  std::map<std::string, std::vector<float>> moments;  // "<parameter>/m", "<parameter>/v"
  double plateau_scale = 1;                           // reduce-on-plateau's current factor
  int plateau_wait = 0;                               // epochs since it last improved
  std::string shuffle_rng, network_rng;               // std::mt19937_64 streamed state
  double best_score = 0;
  int best_epoch = 0, since_best = 0;
  std::map<std::string, std::vector<float>> best_weights;  // by parameter name
};

// Adds the state to a checkpoint's metadata ("training/..." keys) and state tensors.
void store_training_state(const TrainingState& state, CheckpointInfo& info);

// The state a checkpoint carries; nullopt for a weights-only checkpoint. Throws
// std::runtime_error when the training keys are present but malformed.
std::optional<TrainingState> training_state_of(const CheckpointInfo& info);

}  // namespace ferlab::engine
