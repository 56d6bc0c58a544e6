// Softmax cross-entropy on logits, with label smoothing, per-class weights and soft targets.
#pragma once

#include <vector>

namespace ferlab::engine {

struct LossOptions {
  double label_smoothing = 0.0;      // target = (1 - s) * one-hot + s / classes
  std::vector<float> class_weights;  // empty = all 1
};

// Loss of a batch: the class-weighted mean of per-sample cross-entropies,
// sum_i w[y_i] * CE_i / sum_i w[y_i]. Writes dLoss/dLogits to `grad` and softmax
// probabilities to `probabilities` when they are not null (both batch x classes).
double softmax_cross_entropy(const float* logits, const int* labels, int batch, int classes,
                             const LossOptions& options, float* grad,
                             float* probabilities = nullptr);

// The same with soft targets (batch x classes, each row summing to 1), as mixup and cutmix
// make them: label smoothing applies on top, (1 - s) * t + s / classes, and a row's class
// weight is sum_k t_k * w[k]. With one-hot rows it equals softmax_cross_entropy.
double soft_cross_entropy(const float* logits, const float* targets, int batch, int classes,
                          const LossOptions& options, float* grad, float* probabilities = nullptr);

// Softmax of each of `rows` rows of `classes` logits into `probabilities` (may be `logits`).
void softmax_rows(const float* logits, int rows, int classes, float* probabilities);

// Distillation term of Hinton et al. (2015): T^2 * KL(t || softmax(logits / T)), the mean over
// the batch, where t is `teacher` (batch x classes probabilities) softened by the temperature,
// t_k proportional to p_k^(1/T) (softmax(z / T) for one teacher's logits z). The T^2 keeps the
// gradient's scale independent of T. Adds weight * dLoss/dLogits to `grad` when not null.
double distillation_loss(const float* logits, const float* teacher, int batch, int classes,
                         double temperature, double weight, float* grad);

// Inverse class frequency, n / (classes * n_c), 0 for a class absent from `labels`.
std::vector<float> balanced_class_weights(const std::vector<int>& labels, int classes);

}  // namespace ferlab::engine
