// Assigning images to splits or folds: stratified by class, optionally keeping groups (e.g.
// all images of one subject) together, and deterministic for a seed whatever the file order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace datasets {

struct PlanItem {
  std::string key;  // stable identity, e.g. the path relative to the dataset root
  int label = 0;
  std::string group;  // items sharing a non-empty group always land in the same part
};

// Part index (0..weights.size()-1) for each item. Parts receive items in proportion to their
// weights, class by class; a whole group goes to the part that needs its classes most.
std::vector<int> plan_parts(const std::vector<PlanItem>& items, const std::vector<double>& weights,
                            int num_classes, std::uint64_t seed);

}  // namespace datasets
