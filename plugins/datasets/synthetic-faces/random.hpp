// Portable random draws: std:: distributions differ between standard libraries, so the dataset
// derives every value from raw mt19937_64 output to stay identical everywhere for a seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace synthetic_faces {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool chance(double p) { return uniform() < p; }
  int index(int n) { return static_cast<int>(uniform() * n); }  // [0, n)
  double sign() { return chance(0.5) ? 1.0 : -1.0; }
  double normal() {  // Box-Muller; 1 - u keeps the logarithm finite
    double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return radius * std::cos(2.0 * M_PI * uniform());
  }

 private:
  std::mt19937_64 engine_;
};

// SplitMix64 finaliser: turns (seed, split, index) into well-spread engine seeds, so samples
// are independent of each other and of the order (or thread) that generates them.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline std::uint64_t sample_seed(std::uint64_t seed, std::uint64_t split, std::uint64_t index) {
  return mix(mix(mix(seed) ^ split) ^ index);
}

}  // namespace synthetic_faces
