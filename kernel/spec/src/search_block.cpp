#include "spec/search_block.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ferlab/schema_check.hpp>
#include <limits>

#include "spec/spec_limits.hpp"

namespace ferlab::spec {
namespace {

using search::Dimension;

const std::vector<std::string> block_keys = {"method", "sampler",    "trials", "seed",
                                             "eta",    "min_epochs", "space"};
const std::vector<std::string> kind_names = {"uniform", "loguniform", "int", "choice"};

std::optional<double> number(const SpecNode& node) {
  const std::optional<Value> v = to_value(node);
  if (!v) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&*v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&*v)) return *d;
  return std::nullopt;
}

// An integer key of the block within [low, high], or nullopt after a problem.
std::optional<long long> integer(const SpecNode& block, const std::string& key, long long fallback,
                                 long long low, long long high, ProblemList& problems) {
  const SpecNode* node = block.find(key);
  if (!node || node->is_null()) return fallback;
  const std::optional<Value> v = to_value(*node);
  const auto* i = v ? std::get_if<std::int64_t>(&*v) : nullptr;
  if (!i || *i < low || *i > high) {
    problems.add(node->location, child_path("search", key),
                 fmt::format("expected an integer from {} to {}", low, high));
    return std::nullopt;
  }
  return *i;
}

// One of `names` (the first is the default); its index, or nullopt after a problem.
std::optional<std::size_t> one_of(const SpecNode& block, const std::string& key,
                                  const std::vector<std::string>& names, ProblemList& problems) {
  const SpecNode* node = block.find(key);
  if (!node || node->is_null()) return 0;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (node->is_scalar() && node->scalar == names[i]) return i;
  problems.add(node->location, child_path("search", key),
               fmt::format("expected one of: {}", fmt::join(names, ", ")));
  return std::nullopt;
}

// `{loguniform: [1e-4, 0.1]}` and the like; nullopt after a problem.
std::optional<Dimension> dimension(const std::string& key, const SpecNode& node,
                                   ProblemList& problems) {
  const std::string path = child_path("search.space", key);
  if (!node.is_map() || node.fields.size() != 1) {
    problems.add(node.location, path,
                 fmt::format("expected one distribution: {{uniform: [low, high]}}, {{loguniform: "
                             "[low, high]}}, {{int: [low, high]}} or {{choice: [value, ...]}}"));
    return std::nullopt;
  }
  const auto& [kind, args] = node.fields.front();
  Dimension d;
  d.key = key;
  if (kind == "choice") {
    if (!args.is_sequence() || args.items.empty()) {
      problems.add(args.location, path, "choice: expected a non-empty list of values");
      return std::nullopt;
    }
    d.kind = Dimension::Kind::choice;
    for (const SpecNode& option : args.items) d.choices.push_back(to_yaml(option));
    return d;
  }
  if (kind == "uniform")
    d.kind = Dimension::Kind::uniform;
  else if (kind == "loguniform")
    d.kind = Dimension::Kind::loguniform;
  else if (kind == "int")
    d.kind = Dimension::Kind::integer;
  else {
    problems.add(args.key_location, path,
                 fmt::format("unknown distribution '{}'{}", kind, did_you_mean(kind, kind_names)));
    return std::nullopt;
  }
  std::optional<double> low, high;
  if (args.is_sequence() && args.items.size() == 2)
    low = number(args.items[0]), high = number(args.items[1]);
  const bool whole = d.kind != Dimension::Kind::integer ||
                     (low && high && *low == std::floor(*low) && *high == std::floor(*high));
  const bool positive = d.kind != Dimension::Kind::loguniform || (low && *low > 0);
  if (!low || !high || !std::isfinite(*low) || !std::isfinite(*high) || !whole || !positive ||
      (d.kind == Dimension::Kind::integer ? *low > *high : *low >= *high)) {
    problems.add(args.location, path,
                 fmt::format("{}: expected [low, high] with low < high{}", kind,
                             d.kind == Dimension::Kind::loguniform ? " and low > 0"
                             : d.kind == Dimension::Kind::integer  ? " (low <= high), integers"
                                                                   : ""));
    return std::nullopt;
  }
  d.low = *low;
  d.high = *high;
  return d;
}

}  // namespace

std::optional<SearchPlan> read_search_block(const SpecNode& block, ProblemList& problems) {
  const std::size_t before = problems.size();
  if (!block.is_map()) {
    problems.add(block.location, "search",
                 "expected a map: method, sampler, trials, seed, eta, min_epochs, space");
    return std::nullopt;
  }
  for (const auto& [key, value] : block.fields)
    if (std::find(block_keys.begin(), block_keys.end(), key) == block_keys.end())
      problems.add(value.key_location, child_path("search", key),
                   fmt::format("unknown key '{}'{}", key, did_you_mean(key, block_keys)));
  SearchPlan plan;
  plan.location = block.location;
  const auto method = one_of(block, "method", {"random", "halving"}, problems);
  const auto sampler = one_of(block, "sampler", {"random", "sobol"}, problems);
  if (method) plan.method = static_cast<SearchPlan::Method>(*method);
  if (sampler) plan.sampler = static_cast<search::Sampler>(*sampler);
  const auto trials = integer(block, "trials", 0, 1, SpecLimits::runs, problems);
  const auto seed =
      integer(block, "seed", 0, 0, std::numeric_limits<std::int64_t>::max(), problems);
  const auto eta = integer(block, "eta", 3, 2, 100, problems);
  const auto min_epochs = integer(block, "min_epochs", 1, 1, 100'000, problems);
  if (!block.find("trials"))
    problems.add(block.location, "search.trials", "missing: how many trials to draw");
  if (trials) plan.trials = static_cast<std::size_t>(*trials);
  if (seed) plan.seed = static_cast<std::uint64_t>(*seed);
  if (eta) plan.eta = static_cast<int>(*eta);
  if (min_epochs) plan.min_epochs = static_cast<int>(*min_epochs);
  const SpecNode* space = block.find("space");
  if (!space || !space->is_map() || space->fields.empty()) {
    problems.add(space ? space->location : block.location, "search.space",
                 "expected a map of spec keys to distributions");
  } else {
    for (const auto& [key, node] : space->fields)
      if (auto d = dimension(key, node, problems)) plan.space.push_back(std::move(*d));
  }
  if (problems.size() != before) return std::nullopt;
  return plan;
}

std::string trial_label(int trial) { return fmt::format("trial={}", trial); }

}  // namespace ferlab::spec
