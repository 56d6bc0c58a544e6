// What mixup and cutmix share: each image's partner in the batch and the mixed targets.
// Header-only, like random.hpp.
#pragma once

#include <ferlab/batch_augmenter.hpp>
#include <numeric>
#include <utility>
#include <vector>

#include "random.hpp"

namespace augment {

// A random permutation of 0..n-1 (Fisher-Yates): image i is mixed with image partner[i].
inline std::vector<int> partners(ferlab::Rng& rng, int n) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(order[i], order[index(rng, i + 1)]);
  return order;
}

// Mixed copies of `values` (batch rows of `row` floats): row i becomes
// keep * row i + (1 - keep) * row partner[i]. Reads the originals, so rows can be partners.
inline std::vector<float> mix_rows(const float* values, int row, const std::vector<int>& partner,
                                   double keep) {
  std::vector<float> out(static_cast<std::size_t>(partner.size()) * row);
  for (std::size_t i = 0; i < partner.size(); ++i)
    for (int k = 0; k < row; ++k)
      out[i * row + k] = static_cast<float>(keep * values[i * row + k] +
                                            (1 - keep) * values[partner[i] * row + k]);
  return out;
}

inline void mix_targets(ferlab::BatchTensor& batch, const std::vector<int>& partner, double keep) {
  const std::vector<float> mixed = mix_rows(batch.targets, batch.classes, partner, keep);
  std::copy(mixed.begin(), mixed.end(), batch.targets);
}

}  // namespace augment
