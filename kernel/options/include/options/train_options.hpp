// The `train:` section of a spec, resolved and typed. Filled by the kernel's spec module
// (kernel/spec), consumed by the trainer. The defaults here are the spec's defaults: the schema
// (spec/kernel_schema.cpp) takes them from these structs, and its choices from names.hpp's tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "options/names.hpp"

namespace ferlab::options {

enum class Optimizer { sgd, adam, adamw };
template <>
struct Names<Optimizer> {
  static constexpr std::array<std::pair<Optimizer, std::string_view>, 3> table{
      {{Optimizer::sgd, "sgd"}, {Optimizer::adam, "adam"}, {Optimizer::adamw, "adamw"}}};
};

enum class Schedule { constant, step, multistep, cosine, plateau };
template <>
struct Names<Schedule> {
  static constexpr std::array<std::pair<Schedule, std::string_view>, 5> table{
      {{Schedule::constant, "constant"},
       {Schedule::step, "step"},
       {Schedule::multistep, "multistep"},
       {Schedule::cosine, "cosine"},
       {Schedule::plateau, "plateau"}}};
};

// Initial weights: he N(0, 2/fan_in); xavier U(+-sqrt(6/(fan_in+fan_out))); pytorch
// U(+-1/sqrt(fan_in)), PyTorch's default for conv and dense layers.
enum class Init { he, xavier, pytorch };
template <>
struct Names<Init> {
  static constexpr std::array<std::pair<Init, std::string_view>, 3> table{
      {{Init::he, "he"}, {Init::xavier, "xavier"}, {Init::pytorch, "pytorch"}}};
};

enum class ClassWeights { none, balanced };  // balanced: inverse class frequency
template <>
struct Names<ClassWeights> {
  static constexpr std::array<std::pair<ClassWeights, std::string_view>, 2> table{
      {{ClassWeights::none, "none"}, {ClassWeights::balanced, "balanced"}}};
};

// The validation metric that picks the best epoch (never a test metric).
enum class SelectOn { val_accuracy, val_loss, val_macro_f1 };
template <>
struct Names<SelectOn> {
  static constexpr std::array<std::pair<SelectOn, std::string_view>, 3> table{
      {{SelectOn::val_accuracy, "val.accuracy"},
       {SelectOn::val_loss, "val.loss"},
       {SelectOn::val_macro_f1, "val.macro_f1"}}};
};

// Test-time augmentation: the image; with its mirror; ten crops (corners, centre, mirrors).
enum class Tta { none, hflip, ten_crop };
template <>
struct Names<Tta> {
  static constexpr std::array<std::pair<Tta, std::string_view>, 3> table{
      {{Tta::none, "none"}, {Tta::hflip, "hflip"}, {Tta::ten_crop, "ten-crop"}}};
};

struct OptimizerOptions {
  Optimizer name = Optimizer::sgd;
  double lr = 0.01;
  double momentum = 0.9;                          // sgd
  bool nesterov = false;                          // sgd
  double weight_decay = 0.0;                      // L2 for sgd/adam, decoupled for adamw
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam, adamw
};

struct ScheduleOptions {
  Schedule name = Schedule::constant;
  int warmup_epochs = 0;                 // linear warm-up from lr/10 (all schedules)
  int step_size = 10;                    // step
  double gamma = 0.1;                    // step, multistep
  std::vector<std::int64_t> milestones;  // multistep
  int patience = 3;                      // plateau: epochs without improvement of select_on
  double factor = 0.1;                   // plateau
  double min_lr = 0.0;                   // cosine floor, plateau floor
};

// What distillation teachers see. augmented: each of the student's batches as it is, after the
// student's preprocessing and augmentation (a forward pass of every teacher per step); original:
// each training image once, before training, through each teacher's own preprocessing (their
// soft targets then cost nothing per step, and teachers need not share the student's input).
enum class TeacherSees { augmented, original };
template <>
struct Names<TeacherSees> {
  static constexpr std::array<std::pair<TeacherSees, std::string_view>, 2> table{
      {{TeacherSees::augmented, "augmented"}, {TeacherSees::original, "original"}}};
};

// Knowledge distillation (Hinton et al. 2015): the loss is (1 - weight) * the usual loss +
// weight * T^2 * KL(teacher_T || softmax(logits / T)), the teacher's probabilities on the same
// images softened by the temperature T. The teachers are named here; the trainer gets them as a
// Teacher called on each batch, or as fixed targets per training image (trainer.hpp).
struct DistillOptions {
  std::vector<std::string> teachers;  // shipped model names, checkpoint files or run ids
  double temperature = 4.0;
  double weight = 0.5;
  TeacherSees sees = TeacherSees::augmented;
  Tta tta = Tta::none;  // the views a teacher averages over, with sees = original
};

struct TrainOptions {
  int epochs = 10;
  int batch = 64;
  OptimizerOptions optimizer;
  ScheduleOptions schedule;
  SelectOn select_on = SelectOn::val_accuracy;
  int early_stopping_patience = 0;  // 0 = off; epochs without improvement of select_on
  double grad_clip = 0.0;           // 0 = off; max global L2 norm of gradients
  double label_smoothing = 0.0;
  ClassWeights class_weights = ClassWeights::none;
  Init init = Init::he;
  int loader_threads = 2;           // threads preparing (augmenting) the next batches
  int freeze_stages = 0;            // layers of stages 1..N left untrained (LayerDef::stage)
  std::vector<std::string> freeze;  // layers left untrained (fine-tuning): names, or
                                    // prefixes ending in '*' ("s1*")
  DistillOptions distill;           // used when the trainer has a teacher
  // Data-parallel training (mpirun): batchnorm's statistics over the whole batch, summed over
  // the processes, instead of over each process's part (the default, as PyTorch's DDP).
  bool sync_batchnorm = false;
  // Data-parallel training: gradients are summed across the processes in buckets of this many
  // MiB (the first one 1 MiB at most), each started as soon as the backward pass has produced
  // it, as PyTorch's DistributedDataParallel (bucket_cap_mb). 0: one blocking sum of every
  // gradient after the backward pass.
  double allreduce_bucket_mb = 25;
};

}  // namespace ferlab::options
