#include "engine/metrics.hpp"

#include <algorithm>
#include <numeric>

namespace ferlab::engine {

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

}  // namespace ferlab::engine
