// Training a Network on labelled images, evaluating it and predicting with it.
#pragma once

#include <cstdint>
#include <ferlab/sample.hpp>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include "engine/augmentation.hpp"
#include "engine/collective.hpp"
#include "engine/network.hpp"
#include "engine/training_state.hpp"
#include "options/train_options.hpp"

namespace ferlab::engine {

using options::DistillOptions;  // what a spec chose (train), read by the trainer
using options::TrainOptions;

struct Evaluation {
  double loss = 0;  // plain cross-entropy (no smoothing, no class weights)
  double accuracy = 0, macro_f1 = 0;
  std::vector<int> predictions;  // per sample
};

struct EpochStats {
  int epoch = 0;                                                  // 1-based
  double train_loss = 0, train_accuracy = 0, train_macro_f1 = 0;  // training objective
  double val_loss = 0, val_accuracy = 0, val_macro_f1 = 0;        // 0 without val samples
  double lr = 0, seconds = 0, images_per_second = 0;              // training part only
  bool best = false;  // improved the selection metric; its weights were kept
};

struct TrainResult {
  std::vector<EpochStats> history;
  int best_epoch = 0;  // 1-based; the network holds this epoch's weights after fit()
  bool stopped_early = false;
};

class Optimizer;
class LrSchedule;

using EpochCallback = std::function<void(const EpochStats&)>;
// After each training step: epoch (1-based), steps done and per epoch, that step's loss. May
// throw to stop training between two steps (Ctrl-C).
using StepCallback = std::function<void(int epoch, int step, int steps, double loss)>;

// A distillation teacher: writes its class probabilities (batch x classes) for the network's
// input batch (batch images, the network's input layout) to `probabilities`.
using Teacher = std::function<void(const float* input, int batch, float* probabilities)>;

using NamedParameters = std::vector<std::pair<std::string, Parameter*>>;

// Thrown by fit() after the step at which a stop was requested (set_stop_request); the epochs
// before it were reported through the epoch callback as usual.
struct TrainingStopped : std::runtime_error {
  TrainingStopped() : std::runtime_error("interrupted by a signal") {}
};
struct LossOptions;

class Trainer {
 public:
  // Does not initialise the network: call initialize_parameters() first unless fine-tuning.
  Trainer(Network& network, const TrainOptions& options, int num_classes, std::uint64_t seed);

  // Trains for options.epochs (fewer with early stopping), shuffling each epoch. Every batch
  // is full: the remainder of an epoch (< batch) is skipped and differs between epochs. The
  // best weights by options.select_on on `val` (on the training figures when val is empty)
  // are restored at the end. Layers in options.freeze keep their weights (batchnorm running
  // statistics still follow the data).
  TrainResult fit(const std::vector<Sample>& train, const std::vector<Sample>& val,
                  const Augmentation& augment = {}, const EpochCallback& on_epoch = {},
                  const StepCallback& on_step = {});

  // Trains against `teacher`'s soft targets as well (options.distill: temperature, weight).
  void set_teacher(Teacher teacher) { teacher_ = std::move(teacher); }
  // The same against fixed soft targets: row i (classes floats) for fit()'s train sample i,
  // whatever augmentation does to it. fit() refuses a table of another size and a batch
  // augmenter (mixing two images would need both rows).
  void set_teacher_targets(std::vector<float> probabilities) {
    teacher_targets_ = std::move(probabilities);
  }

  // Trains data-parallel with the other processes of `processes` (each calling fit() with the
  // same data, options and seed): options.batch stays the whole batch, split evenly between
  // them (it must be a multiple of their number); rank 0's initial weights are everyone's;
  // each process loads and augments its part of every batch (the parts together are what one
  // process would load); the gradients are summed before every step, so the weights stay the
  // same everywhere. Batchnorm keeps each process's own batch statistics. Rank 0 evaluates on
  // val and tells the others, so every process selects the same epoch. Null: one process.
  void set_collective(Collective* processes) { processes_ = processes; }

  // Asked after every step: when it answers true (data-parallel: on any process, so that all
  // of them stop after the same step), fit() throws TrainingStopped.
  void set_stop_request(std::function<bool()> requested) { stop_requested_ = std::move(requested); }

  // Replaces the schedule step by step (the learning-rate range test): the rate of the
  // optimizer's step k, counted from 0 over the whole fit.
  void set_step_lr(std::function<double(long step)> lr) { step_lr_ = std::move(lr); }

  // Makes the next fit() continue after the epoch `state` was taken at (by state(), in a fit
  // with the same data, options and seed; the network must hold that epoch's weights) instead
  // of starting afresh. With one thread the result is bit-identical to an uninterrupted fit.
  void resume(TrainingState state) { resume_ = std::move(state); }

  // Inside fit's epoch callback: everything beyond the weights that continuing needs.
  TrainingState state() const;

 private:
  struct EpochWork;

  bool distilling() const { return teacher_ || !teacher_targets_.empty(); }
  // The teacher's probabilities for step `step`'s images into w.taught.
  void teach(EpochWork& w, std::size_t step);
  // (1 - w) * loss + w * the distillation term, and the same mix of gradients in the
  // network's output gradient.
  double add_distillation(const float* logits, const float* teacher, int batch, double loss);
  // Label smoothing, and class weights from the train split when they are balanced.
  LossOptions loss_options_for(const std::vector<Sample>& train) const;
  // A fresh start, or the state resume() was given: optimizer moments, schedule, rngs.
  void start_or_resume(Optimizer& optimizer, LrSchedule& schedule, Rng& shuffle_rng);
  // One pass over the shuffled train split at learning rate `lr`: the training figures.
  EpochStats train_epoch(int epoch, double lr, EpochWork& work, const StepCallback& on_step);
  // Validation figures into `stats`: computed by rank 0 alone when training data-parallel.
  void validate(EpochStats& stats, const std::vector<Sample>& val, int batch);
  // This process's weight in the step's loss: its images, or the sum of their class weights.
  static double loss_weight(const EpochWork& w);
  // Marks the epoch best (keeping its weights) when select_on improved, counts epochs since
  // the best one and decides early stopping.
  void select(EpochStats& stats, const NamedParameters& parameters, bool has_val);

  Optimizer* optimizer_ = nullptr;  // these three live only during fit()
  LrSchedule* schedule_ = nullptr;
  const Rng* shuffle_rng_ = nullptr;
  Network& network_;
  TrainOptions options_;
  int classes_;
  std::uint64_t seed_;
  Teacher teacher_;
  std::vector<float> teacher_targets_;  // train samples x classes, or empty
  Collective* processes_ = nullptr;
  std::function<bool()> stop_requested_;
  std::function<double(long)> step_lr_;
  std::optional<TrainingState> resume_;
  TrainingState progress_;  // epochs, best epoch and its weights so far
  std::map<const Parameter*, std::string> names_;
};

// Inference-mode loss, accuracy and macro-F1 over samples, `batch` images at a time.
Evaluation evaluate(Network& network, const std::vector<Sample>& samples, int num_classes,
                    int batch = 64);

// Class probabilities (softmax of the logits), one vector per sample.
std::vector<std::vector<float>> predict(Network& network, const std::vector<Sample>& samples,
                                        int batch = 64);

}  // namespace ferlab::engine
