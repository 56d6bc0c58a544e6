// A search space: distributions over spec keys (what a spec's `search:` block declares), and the
// trials drawn from it, each a list of `--set KEY=VALUE` overrides of the spec.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ferlab::search {

struct Dimension {
  enum class Kind { uniform, loguniform, integer, choice };
  std::string key;  // a spec key, "train.optimizer.lr"
  Kind kind = Kind::uniform;
  double low = 0, high = 1;          // uniform and loguniform: [low, high); integer: [low, high]
  std::vector<std::string> choices;  // choice: each option as YAML text ("32", "{plugin: vgg}")

  // The value at quantile u of [0, 1), as YAML text: the inverse of the distribution's CDF.
  std::string value_at(double u) const;
  // The same as a number (uniform, loguniform, integer; the option's index for a choice).
  double number_at(double u) const;
};

enum class Sampler { random, sobol };

// n points of [0, 1)^dimensions: independent uniform draws (random), or Sobol's quasi-random
// sequence (its first point, the origin, skipped) shifted by a random vector modulo 1
// (Cranley-Patterson), so that seeds give different sequences of the same evenness. The seed
// fixes every point.
std::vector<std::vector<double>> unit_points(std::size_t n, std::size_t dimensions, Sampler sampler,
                                             std::uint64_t seed);

struct Trial {
  int index = 0;                                               // 0-based, in drawing order
  std::vector<std::pair<std::string, std::string>> overrides;  // key, YAML value
};

// The first n trials of the space: trial i is point i of unit_points mapped through each
// dimension's value_at. Drawing more (a larger n) keeps the first ones: a search extended or
// resumed draws the same trials again.
std::vector<Trial> draw_trials(const std::vector<Dimension>& space, std::size_t n, Sampler sampler,
                               std::uint64_t seed);

}  // namespace ferlab::search
