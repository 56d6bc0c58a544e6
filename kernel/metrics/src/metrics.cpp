#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace ferlab::metrics {

std::int64_t Confusion::total() const {
  return std::accumulate(counts_.begin(), counts_.end(), std::int64_t{0});
}

double Confusion::accuracy() const {
  std::int64_t right = 0;
  for (int k = 0; k < classes_; ++k) right += count(k, k);
  const std::int64_t n = total();
  return n ? static_cast<double>(right) / n : 0.0;
}

double Confusion::macro_f1() const {
  double sum = 0;
  int present = 0;
  for (int k = 0; k < classes_; ++k) {
    std::int64_t truth = 0, predicted = 0;
    for (int j = 0; j < classes_; ++j) {
      truth += count(k, j);
      predicted += count(j, k);
    }
    if (truth + predicted == 0) continue;
    ++present;
    sum += 2.0 * count(k, k) / static_cast<double>(truth + predicted);  // F1 = 2TP/(2TP+FP+FN)
  }
  return present ? sum / present : 0.0;
}

int argmax(const float* values, int n) {
  return static_cast<int>(std::max_element(values, values + n) - values);
}

namespace {

double ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;
}

// Whether fewer than two classes are strictly more probable than the true one.
bool in_top2(const std::vector<float>& p, int truth) {
  int above = 0;
  for (float v : p) above += v > p[truth];
  return above < 2;
}

}  // namespace

Metrics classification_metrics(const std::vector<int>& truth,
                               const std::vector<std::vector<float>>& probabilities, int classes) {
  if (truth.size() != probabilities.size())
    throw std::invalid_argument(std::to_string(truth.size()) + " labels but " +
                                std::to_string(probabilities.size()) + " predictions");
  Metrics m;
  Confusion confusion(classes);
  std::int64_t top2 = 0;
  double log_loss = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const std::vector<float>& p = probabilities[i];
    if (truth[i] < 0 || truth[i] >= classes || static_cast<int>(p.size()) != classes)
      throw std::invalid_argument("sample " + std::to_string(i) + ": label " +
                                  std::to_string(truth[i]) + " with " + std::to_string(p.size()) +
                                  " probabilities for " + std::to_string(classes) + " classes");
    confusion.add(truth[i], argmax(p.data(), classes));
    top2 += in_top2(p, truth[i]);
    log_loss -= std::log(std::max(static_cast<double>(p[truth[i]]), 1e-15));
  }
  const double n = static_cast<double>(truth.size());
  m.accuracy = confusion.accuracy();
  m.macro_f1 = confusion.macro_f1();
  m.top2_accuracy = ratio(static_cast<double>(top2), n);
  m.log_loss = ratio(log_loss, n);
  double chance = 0, recall_sum = 0;
  int with_samples = 0;
  for (int k = 0; k < classes; ++k) {
    std::int64_t samples = 0, predicted = 0;
    for (int j = 0; j < classes; ++j) {
      samples += confusion.count(k, j);
      predicted += confusion.count(j, k);
    }
    const double tp = static_cast<double>(confusion.count(k, k));
    ClassMetrics c;
    c.support = samples;
    c.precision = ratio(tp, static_cast<double>(predicted));
    c.recall = ratio(tp, static_cast<double>(samples));
    c.f1 = ratio(2 * tp, static_cast<double>(samples + predicted));
    m.per_class.push_back(c);
    m.weighted_f1 += ratio(c.f1 * static_cast<double>(samples), n);
    if (samples > 0) {
      recall_sum += c.recall;
      ++with_samples;
    }
    chance += ratio(static_cast<double>(samples) * static_cast<double>(predicted), n * n);
  }
  m.balanced_accuracy = ratio(recall_sum, with_samples);
  m.kappa = chance < 1 ? (m.accuracy - chance) / (1 - chance) : 0.0;
  return m;
}

}  // namespace ferlab::metrics
