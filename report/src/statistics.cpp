#include "report/statistics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace ferlab::report {
namespace {

// Draws `resamples` index vectors and applies `statistic` to each.
std::vector<double> bootstrap_values(
    int n, const std::function<double(const std::vector<int>&)>& statistic, int resamples,
    std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pick(0, n - 1);
  std::vector<int> indices(n);
  std::vector<double> values;
  values.reserve(resamples);
  for (int r = 0; r < resamples; ++r) {
    for (int& i : indices) i = pick(rng);
    values.push_back(statistic(indices));
  }
  return values;
}

// The q-quantile of sorted values, linear between order statistics.
double quantile(const std::vector<double>& sorted, double q) {
  double position = q * static_cast<double>(sorted.size() - 1);
  size_t below = static_cast<size_t>(std::floor(position));
  size_t above = std::min(below + 1, sorted.size() - 1);
  double t = position - static_cast<double>(below);
  return sorted[below] * (1 - t) + sorted[above] * t;
}

}  // namespace

MeanStd mean_std(const std::vector<double>& values) {
  MeanStd out;
  out.n = static_cast<int>(values.size());
  if (values.empty()) return out;
  out.mean = std::accumulate(values.begin(), values.end(), 0.0) / out.n;
  if (out.n < 2) return out;
  double squares = 0;
  for (double v : values) squares += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(squares / (out.n - 1));
  return out;
}

Interval bootstrap_interval(int n, const std::function<double(const std::vector<int>&)>& statistic,
                            int resamples, std::uint64_t seed, double level) {
  if (n <= 0 || resamples <= 0) return {};
  std::vector<double> values = bootstrap_values(n, statistic, resamples, seed);
  std::sort(values.begin(), values.end());
  double tail = (1 - level) / 2;
  return {quantile(values, tail), quantile(values, 1 - tail)};
}

double mcnemar_exact(std::int64_t b, std::int64_t c) {
  std::int64_t n = b + c;
  if (n == 0) return 1.0;
  std::int64_t k = std::min(b, c);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n does not overflow.
  double tail = 0;
  for (std::int64_t i = 0; i <= k; ++i) {
    double log_term = std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) -
                      static_cast<double>(n) * std::log(2.0);
    tail += std::exp(log_term);
  }
  return std::min(1.0, 2 * tail);
}

double paired_bootstrap_p(int n, const std::function<double(const std::vector<int>&)>& difference,
                          int resamples, std::uint64_t seed) {
  if (n <= 0 || resamples <= 0) return 1.0;
  std::vector<double> values = bootstrap_values(n, difference, resamples, seed);
  double at_most_zero = 0, at_least_zero = 0;
  for (double v : values) {
    at_most_zero += v <= 0;
    at_least_zero += v >= 0;
  }
  return std::min(1.0, 2 * std::min(at_most_zero, at_least_zero) / resamples);
}

std::vector<double> holm(const std::vector<double>& p) {
  size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(m);
  double running = 0;  // adjusted values never decrease along the sorted order
  for (size_t rank = 0; rank < m; ++rank) {
    running = std::max(running, std::min(1.0, static_cast<double>(m - rank) * p[order[rank]]));
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

std::string format_p(double p) {
  if (p < 0.001) return "< 0.001";
  return fmt::format("{:.3f}", p);
}

std::string conclusion(const std::string& first, double first_value, const std::string& second,
                       double second_value, const std::string& metric, double p, double alpha) {
  bool first_ahead = first_value >= second_value;
  const std::string& ahead = first_ahead ? first : second;
  const std::string& behind = first_ahead ? second : first;
  double high = std::max(first_value, second_value), low = std::min(first_value, second_value);
  std::string pw = p < 0.001 ? "p " + format_p(p) : "p = " + format_p(p);
  if (p < alpha)
    return fmt::format("{} beats {} on {} ({:.4f} vs {:.4f}), {}", ahead, behind, metric, high, low,
                       pw);
  return fmt::format("no significant difference between {} and {} on {} ({:.4f} vs {:.4f}), {}",
                     ahead, behind, metric, high, low, pw);
}

}  // namespace ferlab::report
