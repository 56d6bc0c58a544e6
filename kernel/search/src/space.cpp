#include "search/space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <random>
#include <stdexcept>

namespace ferlab::search {
namespace {

// [0, 1) from 64 random bits.
double unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

}  // namespace

double Dimension::number_at(double u) const {
  switch (kind) {
    case Kind::uniform:
      return low + u * (high - low);
    case Kind::loguniform:
      return std::exp(std::log(low) + u * (std::log(high) - std::log(low)));
    case Kind::integer:  // high - low + 1 equal cells
      return std::min(high, std::floor(low + u * (high - low + 1)));
    case Kind::choice:
      return std::min(static_cast<double>(choices.size() - 1),
                      std::floor(u * static_cast<double>(choices.size())));
  }
  throw std::logic_error("unknown dimension kind");
}

std::string Dimension::value_at(double u) const {
  const double x = number_at(u);
  switch (kind) {
    case Kind::integer:
      return fmt::format("{}", static_cast<long long>(x));
    case Kind::choice:
      return choices.at(static_cast<std::size_t>(x));
    default:
      return fmt::format("{:.6g}", x);
  }
}

std::vector<std::vector<double>> unit_points(std::size_t n, std::size_t dimensions, Sampler sampler,
                                             std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<double>> points(n, std::vector<double>(dimensions));
  if (dimensions == 0) return points;
  if (sampler == Sampler::random) {
    for (auto& p : points)
      for (double& x : p) x = unit(rng());
    return points;
  }
  std::vector<double> shift(dimensions);
  for (double& s : shift) s = unit(rng());
  boost::random::sobol sobol(dimensions);
  sobol.discard(dimensions);  // the origin
  for (auto& p : points)
    for (std::size_t d = 0; d < dimensions; ++d) {
      const double x = static_cast<double>(sobol() >> 11) * 0x1.0p-53 + shift[d];
      p[d] = x >= 1 ? x - 1 : x;
    }
  return points;
}

std::vector<Trial> draw_trials(const std::vector<Dimension>& space, std::size_t n, Sampler sampler,
                               std::uint64_t seed) {
  const auto points = unit_points(n, space.size(), sampler, seed);
  std::vector<Trial> trials;
  for (std::size_t i = 0; i < n; ++i) {
    Trial t{static_cast<int>(i), {}};
    for (std::size_t d = 0; d < space.size(); ++d)
      t.overrides.emplace_back(space[d].key, space[d].value_at(points[i][d]));
    trials.push_back(std::move(t));
  }
  return trials;
}

}  // namespace ferlab::search
