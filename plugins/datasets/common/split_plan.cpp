#include "split_plan.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

namespace datasets {
namespace {

// FNV-1a then a SplitMix64 finaliser: a portable hash (std::hash differs between libraries).
std::uint64_t hash(const std::string& text, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

struct Group {
  std::vector<size_t> members;
  std::vector<int> class_counts;
  std::uint64_t order = 0;
};

}  // namespace

std::vector<int> plan_parts(const std::vector<PlanItem>& items, const std::vector<double>& weights,
                            int num_classes, std::uint64_t seed) {
  // Ungrouped items are groups of one, keyed by their own identity.
  std::map<std::string, Group> by_key;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string key =
        items[i].group.empty() ? "item:" + items[i].key : "group:" + items[i].group;
    Group& g = by_key[key];
    if (g.class_counts.empty()) g.class_counts.assign(num_classes, 0);
    g.members.push_back(i);
    ++g.class_counts[items[i].label];
  }
  std::vector<Group> groups;
  for (auto& [key, g] : by_key) {
    g.order = hash(key, seed);
    groups.push_back(std::move(g));
  }
  // Large groups first (they are the hard ones to balance), otherwise in seeded random order.
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    if (a.members.size() != b.members.size()) return a.members.size() > b.members.size();
    return a.order < b.order;
  });

  double total_weight = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::vector<double>> filled(weights.size(), std::vector<double>(num_classes, 0));
  std::vector<int> part(items.size(), 0);
  for (const Group& g : groups) {
    // The part whose share of these classes lags its weight the most.
    int best = 0;
    double best_cost = std::numeric_limits<double>::infinity();
    for (size_t p = 0; p < weights.size(); ++p) {
      if (weights[p] <= 0) continue;
      double cost = 0;
      for (int c = 0; c < num_classes; ++c) cost += g.class_counts[c] * filled[p][c];
      cost /= weights[p] / total_weight;
      if (cost < best_cost) best_cost = cost, best = static_cast<int>(p);
    }
    for (int c = 0; c < num_classes; ++c) filled[best][c] += g.class_counts[c];
    for (size_t i : g.members) part[i] = best;
  }
  return part;
}

}  // namespace datasets
