// The `train:` section of a spec, resolved and typed. Filled by the kernel's spec module
// (kernel/spec), consumed by the trainer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ferlab::options {

struct OptimizerOptions {
  std::string name = "sgd";  // sgd | adam | adamw
  double lr = 0.01;
  double momentum = 0.9;                          // sgd
  bool nesterov = false;                          // sgd
  double weight_decay = 0.0;                      // L2 for sgd/adam, decoupled for adamw
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam, adamw
};

struct ScheduleOptions {
  std::string name = "constant";         // constant | step | multistep | cosine | plateau
  int warmup_epochs = 0;                 // linear warm-up from lr/10 (all schedules)
  int step_size = 10;                    // step
  double gamma = 0.1;                    // step, multistep
  std::vector<std::int64_t> milestones;  // multistep
  int patience = 3;                      // plateau: epochs without improvement of select_on
  double factor = 0.1;                   // plateau
  double min_lr = 0.0;                   // cosine floor, plateau floor
};

// Knowledge distillation (Hinton et al. 2015): the loss is (1 - weight) * the usual loss +
// weight * T^2 * KL(teacher_T || softmax(logits / T)), the teacher's probabilities on the same
// batch softened by the temperature T. The teachers are named here; the trainer gets them as a
// Teacher (trainer.hpp).
struct DistillOptions {
  std::vector<std::string> teachers;  // shipped model names, checkpoint files or run ids
  double temperature = 4.0;
  double weight = 0.5;
};

struct TrainOptions {
  int epochs = 10;
  int batch = 64;
  OptimizerOptions optimizer;
  ScheduleOptions schedule;
  std::string select_on = "val.accuracy";  // val.accuracy | val.loss | val.macro_f1
  int early_stopping_patience = 0;         // 0 = off; epochs without improvement of select_on
  double grad_clip = 0.0;                  // 0 = off; max global L2 norm of gradients
  double label_smoothing = 0.0;
  std::string class_weights = "none";  // none | balanced (inverse class frequency)
  std::string init = "he";             // he | xavier | pytorch
  int loader_threads = 2;              // threads preparing (augmenting) the next batches
  int freeze_stages = 0;               // layers of stages 1..N left untrained (LayerDef::stage)
  std::vector<std::string> freeze;     // layers left untrained (fine-tuning): names, or
                                       // prefixes ending in '*' ("s1*")
  DistillOptions distill;              // used when the trainer has a teacher
};

}  // namespace ferlab::options
