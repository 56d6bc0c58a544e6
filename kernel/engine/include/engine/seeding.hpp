// Independent, reproducible seeds derived from a run's seed: one per use (weights, shuffling,
// each sample's augmentation in each epoch), so no result depends on which thread drew first.
#pragma once

#include <cstdint>

namespace ferlab::engine {

// splitmix64 of the combined inputs.
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0) {
  std::uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1) + 0xbf58476d1ce4e5b9ull * (c + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The seed of one training sample's augmentation in one epoch (0-based).
inline std::uint64_t augment_seed(std::uint64_t seed, int epoch, std::uint64_t index) {
  return mix(seed, 3 + static_cast<std::uint64_t>(epoch), index);
}

// The seed of one training batch's batch-level augmentation (mixup, cutmix) in one epoch.
inline std::uint64_t batch_augment_seed(std::uint64_t seed, int epoch, std::uint64_t step) {
  return mix(mix(seed, 0x6d6978), static_cast<std::uint64_t>(epoch), step);
}

}  // namespace ferlab::engine
