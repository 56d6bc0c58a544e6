// Random draws for augmenters, taken from the raw bits of ferlab::Rng: std:: distributions
// differ between standard libraries, and a seed must give the same augmentation everywhere.
// Header-only and shared by the augmenter plugins (this folder is not a plugin itself).
#pragma once

#include <cmath>
#include <ferlab/augmenter.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>

namespace augment {

inline double uniform(ferlab::Rng& rng) {  // [0, 1)
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}
inline double uniform(ferlab::Rng& rng, double lo, double hi) {
  return lo + (hi - lo) * uniform(rng);
}
inline bool chance(ferlab::Rng& rng, double p) { return p >= 1 || uniform(rng) < p; }
inline int index(ferlab::Rng& rng, int n) { return static_cast<int>(uniform(rng) * n); }

// Two independent standard normals (Box-Muller); callers use both for speed.
inline std::pair<double, double> normal_pair(ferlab::Rng& rng) {
  double radius = std::sqrt(-2.0 * std::log(1.0 - uniform(rng)));
  double angle = 2.0 * M_PI * uniform(rng);
  return {radius * std::cos(angle), radius * std::sin(angle)};
}

// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) * U^(1/shape).
inline double gamma(ferlab::Rng& rng, double shape) {
  if (shape < 1) return gamma(rng, shape + 1) * std::pow(1.0 - uniform(rng), 1.0 / shape);
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    const double x = normal_pair(rng).first, v = std::pow(1 + c * x, 3);
    if (v <= 0) continue;
    const double u = 1.0 - uniform(rng);
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

// Beta(a, b) as X / (X + Y) of two gamma draws: the mixing weight of mixup and cutmix.
inline double beta(ferlab::Rng& rng, double a, double b) {
  const double x = gamma(rng, a), y = gamma(rng, b);
  return x / (x + y);
}

// The `border` choice shared by geometric augmenters.
inline int border_mode(const std::string& name) {
  if (name == "reflect") return cv::BORDER_REFLECT_101;
  if (name == "replicate") return cv::BORDER_REPLICATE;
  if (name == "constant") return cv::BORDER_CONSTANT;
  throw std::invalid_argument("unknown border mode '" + name + "'");
}

}  // namespace augment
