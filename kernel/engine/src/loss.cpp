#include "engine/loss.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ferlab::engine {

double softmax_cross_entropy(const float* logits, const int* labels, int batch, int classes,
                             const LossOptions& options, float* grad, float* probabilities) {
  std::vector<float> one_hot(static_cast<std::size_t>(batch) * classes, 0.f);
  for (int i = 0; i < batch; ++i) {
    const int y = labels[i];
    if (y < 0 || y >= classes)
      throw std::invalid_argument("label " + std::to_string(y) + " outside 0.." +
                                  std::to_string(classes - 1));
    one_hot[static_cast<std::size_t>(i) * classes + y] = 1.f;
  }
  return soft_cross_entropy(logits, one_hot.data(), batch, classes, options, grad, probabilities);
}

double soft_cross_entropy(const float* logits, const float* targets, int batch, int classes,
                          const LossOptions& options, float* grad, float* probabilities) {
  const double s = options.label_smoothing;
  std::vector<double> p(classes), target(classes);
  double total = 0, weight_sum = 0;
  for (int i = 0; i < batch; ++i) {
    const std::size_t row = static_cast<std::size_t>(i) * classes;
    double w = options.class_weights.empty() ? 1.0 : 0.0;
    for (int k = 0; k < classes; ++k) {
      target[k] = (1.0 - s) * targets[row + k] + s / classes;
      if (!options.class_weights.empty()) w += targets[row + k] * options.class_weights[k];
    }
    weight_sum += w;
    const float* z = logits + row;
    // Shifting by the maximum keeps exp() finite; log-sum-exp gives log p exactly.
    const double zmax = *std::max_element(z, z + classes);
    double sum = 0;
    for (int k = 0; k < classes; ++k) sum += p[k] = std::exp(z[k] - zmax);
    const double log_sum = std::log(sum);
    double ce = 0;
    for (int k = 0; k < classes; ++k) {
      p[k] /= sum;
      ce -= target[k] * (z[k] - zmax - log_sum);
    }
    total += w * ce;
    if (probabilities)
      for (int k = 0; k < classes; ++k) probabilities[row + k] = static_cast<float>(p[k]);
    if (grad)  // scaled by 1 / weight_sum below, once the sum is known
      for (int k = 0; k < classes; ++k) grad[row + k] = static_cast<float>(w * (p[k] - target[k]));
  }
  if (weight_sum <= 0) return 0;  // only zero-weight classes in this batch
  if (grad)
    for (std::size_t e = 0, n = static_cast<std::size_t>(batch) * classes; e < n; ++e)
      grad[e] = static_cast<float>(grad[e] / weight_sum);
  return total / weight_sum;
}

void softmax_rows(const float* logits, int rows, int classes, float* probabilities) {
  for (int i = 0; i < rows; ++i) {
    const float* z = logits + static_cast<std::size_t>(i) * classes;
    float* p = probabilities + static_cast<std::size_t>(i) * classes;
    const float top = *std::max_element(z, z + classes);
    float sum = 0;
    for (int k = 0; k < classes; ++k) sum += p[k] = std::exp(z[k] - top);
    for (int k = 0; k < classes; ++k) p[k] /= sum;
  }
}

double distillation_loss(const float* logits, const float* teacher, int batch, int classes,
                         double temperature, double weight, float* grad) {
  if (!(temperature > 0)) throw std::invalid_argument("distillation temperature must be positive");
  const double T = temperature;
  std::vector<double> t(classes), log_q(classes);
  double total = 0;
  for (int i = 0; i < batch; ++i) {
    const std::size_t row = static_cast<std::size_t>(i) * classes;
    // Softened teacher: log t_k = log p_k / T - log sum_j p_j^(1/T); a probability that
    // underflowed to 0 stays (almost) 0 instead of giving log(0).
    double tmax = -1e300;
    for (int k = 0; k < classes; ++k) {
      t[k] = std::log(std::max(static_cast<double>(teacher[row + k]), 1e-30)) / T;
      tmax = std::max(tmax, t[k]);
    }
    double tsum = 0;
    for (int k = 0; k < classes; ++k) tsum += t[k] = std::exp(t[k] - tmax);
    const float* z = logits + row;
    const double zmax = *std::max_element(z, z + classes) / T;
    double qsum = 0;
    for (int k = 0; k < classes; ++k) qsum += std::exp(z[k] / T - zmax);
    double kl = 0;
    for (int k = 0; k < classes; ++k) {
      t[k] /= tsum;
      log_q[k] = z[k] / T - zmax - std::log(qsum);
      if (t[k] > 0) kl += t[k] * (std::log(t[k]) - log_q[k]);
    }
    total += T * T * kl;
    // d(T^2 KL)/dz_k = T (q_k - t_k); the batch mean divides by `batch`.
    if (grad)
      for (int k = 0; k < classes; ++k)
        grad[row + k] += static_cast<float>(weight * T * (std::exp(log_q[k]) - t[k]) / batch);
  }
  return total / batch;
}

std::vector<float> balanced_class_weights(const std::vector<int>& labels, int classes) {
  std::vector<double> counts(classes, 0);
  for (int y : labels)
    if (y >= 0 && y < classes) ++counts[y];
  std::vector<float> weights(classes, 0.f);
  for (int k = 0; k < classes; ++k)
    if (counts[k] > 0) weights[k] = static_cast<float>(labels.size() / (classes * counts[k]));
  return weights;
}

}  // namespace ferlab::engine
