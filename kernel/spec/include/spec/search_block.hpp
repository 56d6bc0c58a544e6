// A spec's `search:` block: distributions over spec keys, how many trials to draw, how (at
// random or from Sobol's sequence) and how to spend their epochs (every trial to the end, or
// successive halving). Each trial becomes a variant of the spec, labelled "trial=N".
//
//   search:
//     method: halving          # random (default) | halving
//     sampler: sobol           # random (default) | sobol
//     trials: 27
//     seed: 1                  # fixes the trials drawn (default 0)
//     eta: 3                   # halving: the best 1/eta of a rung go on (default 3)
//     min_epochs: 1            # halving: the first rung's epochs (default 1)
//     space:
//       train.optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}
//       model.backbone.dropout: {uniform: [0, 0.5]}
//       train.batch: {int: [32, 128]}
//       model.backbone: {choice: [{plugin: vgg}, {plugin: resnet}]}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "search/space.hpp"
#include "spec/problems.hpp"
#include "spec/spec_node.hpp"

namespace ferlab::spec {

struct SearchPlan {
  enum class Method { random, halving };
  Method method = Method::random;
  search::Sampler sampler = search::Sampler::random;
  std::size_t trials = 0;
  std::uint64_t seed = 0;
  int eta = 3;         // halving
  int min_epochs = 1;  // halving
  std::vector<search::Dimension> space;
  Location location;  // of the block, for problems found later
};

// The block read and checked (keys, kinds, bounds), or nullopt after recording every problem.
// Key paths are checked against the spec when the trials are applied.
std::optional<SearchPlan> read_search_block(const SpecNode& block, ProblemList& problems);

// "trial=3": the variant label of a trial.
std::string trial_label(int trial);

}  // namespace ferlab::spec
