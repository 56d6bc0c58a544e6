#include "search/ranking.hpp"

#include <cmath>
#include <limits>
#include <set>

namespace ferlab::search {

double best_within(const std::vector<double>& curve, int epochs, Goal goal) {
  const std::size_t n =
      epochs > 0 ? std::min(curve.size(), static_cast<std::size_t>(epochs)) : curve.size();
  double best = std::nan("");
  for (std::size_t i = 0; i < n; ++i) {
    const double x = curve[i];
    if (std::isnan(x)) continue;
    if (std::isnan(best) || (goal == Goal::maximize ? x > best : x < best)) best = x;
  }
  return best;
}

double trial_score(const std::vector<std::vector<double>>& runs, int epochs, Goal goal) {
  if (runs.empty()) return std::nan("");
  double sum = 0;
  for (const auto& curve : runs) sum += best_within(curve, epochs, goal);  // NaN stays NaN
  return sum / static_cast<double>(runs.size());
}

double as_higher_is_better(double score, Goal goal) {
  if (std::isnan(score)) return -std::numeric_limits<double>::infinity();
  return goal == Goal::maximize ? score : -score;
}

std::vector<std::string> varying_keys(
    const std::vector<std::map<std::string, std::string>>& trials) {
  std::map<std::string, std::set<std::string>> values;
  for (const auto& params : trials)
    for (const auto& [key, value] : params) values[key].insert(value);
  std::vector<std::string> out;
  for (const auto& [key, seen] : values)
    if (seen.size() > 1 && key != "search.trial" && key != "seeds") out.push_back(key);
  return out;
}

}  // namespace ferlab::search
