// Small specs on synthetic faces that several tests run.
#pragma once

#include <string>

namespace ferlab::testing_support {

// Two learning rates x two seeds of a one-layer network: four runs of a second or so each.
inline std::string tiny_sweep_spec(const std::string& name, int epochs) {
  return "name: " + name + R"(
seeds: [1, 2]
dataset: {plugin: synthetic-faces, seed: 3, size: 16, train_count: 56, val_count: 28, test_count: 28}
model: {layers: [{type: flatten}, {type: dense, units: 7}]}
train: {epochs: )" +
         std::to_string(epochs) + R"(, batch: 8, optimizer: {name: adam, lr: 0.001}}
evaluate: {splits: [val, test]}
sweep:
  train.optimizer.lr: [0.001, 0.01]
)";
}

// Long enough to stop in the middle (140 steps an epoch), with every random stream and state a
// resume must restore: dropout, augmentation, momentum (and TTA in the evaluation). `extra`
// is appended (a sweep: block, say).
inline std::string resumable_spec(const std::string& name, int epochs,
                                  const std::string& extra = "") {
  return "name: " + name + R"(
seeds: [1]
dataset: {plugin: synthetic-faces, seed: 3, size: 32, train_count: 1120, val_count: 56, test_count: 56}
augment: [{plugin: hflip}]
model:
  layers:
    - {type: convolution, name: c1, filters: 16, kernel: 3, padding: 1}
    - {type: relu}
    - {type: dropout, rate: 0.2}
    - {type: max-pool, kernel: 4}
    - {type: flatten}
    - {type: dense, units: 7}
train: {epochs: )" +
         std::to_string(epochs) + R"(, batch: 8, optimizer: {name: sgd, lr: 0.01, momentum: 0.9}}
evaluate: {splits: [val, test], tta: [none, hflip]}
)" + extra;
}

// A halving search of 9 trials with eta 3 over 9 epochs: 9 trials train 1 epoch, the best 3
// continue to 3, the best one to 9 (three rungs), on a model that trains in a blink.
inline std::string tiny_halving_spec(const std::string& name) {
  return "name: " + name + R"(
seeds: [1]
dataset: {plugin: synthetic-faces, seed: 3, size: 16, train_count: 56, val_count: 28, test_count: 28}
model: {layers: [{type: flatten}, {type: dense, units: 7}]}
train: {epochs: 9, batch: 8, optimizer: {name: adam, lr: 0.001}}
evaluate: {splits: [val, test]}
search:
  method: halving
  trials: 9
  eta: 3
  seed: 5
  space:
    train.optimizer.lr: {loguniform: [1.0e-4, 0.1]}
    train.label_smoothing: {uniform: [0, 0.3]}
)";
}

}  // namespace ferlab::testing_support
