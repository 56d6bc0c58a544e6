#include "spec/spec_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ferlab/schema_check.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "key_paths.hpp"
#include "spec/env_expand.hpp"
#include "spec/kernel_schema.hpp"
#include "spec/search_block.hpp"
#include "spec/spec_limits.hpp"
#include "spec/validator.hpp"

namespace ferlab::spec {
namespace {

void forget_lines(SpecNode& node) {
  node.location.line = node.location.column = 0;
  node.key_location.line = node.key_location.column = 0;
  for (SpecNode& item : node.items) forget_lines(item);
  for (auto& field : node.fields) forget_lines(field.second);
}

// Sets the value at the key path `key` to the YAML text `value` (a --set, or a trial's drawn
// value); problems point at `where`, naming `what`.
void set_at_path(SpecNode& root, const std::string& key, const std::string& value,
                 const Location& where, const std::string& what, ProblemList& problems) {
  std::vector<std::string> segments = split_path(key);
  if (!check_path(segments, where, what, problems)) return;
  SpecNode node;
  try {
    node = parse_yaml(value, *where.origin);
    forget_lines(node);  // the value's own lines mean nothing in the spec
  } catch (const SpecSyntaxError& e) {
    problems.add(where, key, "invalid YAML value: " + e.detail);
    return;
  } catch (const SpecLimitError& e) {
    problems.add(where, key, "the value is " + e.detail);
    return;
  }
  SpecNode* target = node_at(root, segments);
  if (!target) {
    problems.add(where, key, "this path does not exist in the spec");
    return;
  }
  node.key_location = target->key_location.line ? target->key_location : where;
  *target = std::move(node);
}

void apply_override(SpecNode& root, const std::string& text, ProblemList& problems) {
  Location where{std::make_shared<const std::string>("--set " + text), 0, 0};
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    problems.add(where, "", "expected key.path=value");
    return;
  }
  set_at_path(root, text.substr(0, eq), text.substr(eq + 1), where, "--set", problems);
}

// A short label for a swept value: a scalar as written, a plugin call by its name and params.
std::string short_label(const SpecNode& node) {
  if (node.is_scalar()) return node.scalar;
  if (node.is_map()) {
    std::string out;
    if (const SpecNode* plugin = node.find("plugin")) out = plugin->scalar;
    std::string args;
    for (const auto& [key, value] : node.fields)
      if (key != "plugin") args += (args.empty() ? "" : ",") + key + "=" + short_label(value);
    return args.empty() ? out : out + "(" + args + ")";
  }
  if (node.is_sequence()) {
    std::string out;
    for (const SpecNode& item : node.items) {
      if (!out.empty()) out += '+';
      out += short_label(item);
    }
    return out.empty() ? "none" : out;
  }
  return "null";
}

struct SweepAxis {
  std::vector<std::string> segments;
  std::string label_key;  // the last path segment
  const SpecNode* values;
};

std::vector<SweepAxis> sweep_axes(const SpecNode& sweep, ProblemList& problems) {
  std::vector<SweepAxis> axes;
  if (!sweep.is_map()) {
    problems.add(sweep.location, "sweep", "expected a map of key paths to lists of values");
    return axes;
  }
  for (const auto& [key, values] : sweep.fields) {
    std::vector<std::string> segments = split_path(key);
    if (!check_path(segments, values.key_location, "sweep key", problems)) continue;
    if (!values.is_sequence() || values.items.empty()) {
      problems.add(values.location, child_path("sweep", key),
                   "expected a non-empty list of values to sweep over");
      continue;
    }
    axes.push_back({segments, segments.back(), &values});
  }
  return axes;
}

size_t count_nodes(const SpecNode& node) {
  size_t n = 1;
  for (const SpecNode& item : node.items) n += count_nodes(item);
  for (const auto& field : node.fields) n += count_nodes(field.second);
  return n;
}

// Whether the sweep times the seeds stays within SpecLimits::runs (checked before expanding,
// so that a sweep of 10 axes of 100 values fails at once).
bool runs_within_limit(const SpecNode& root, const std::vector<SweepAxis>& axes,
                       const Location& sweep_location, ProblemList& problems) {
  const SpecNode* seeds = root.find("seeds");
  size_t runs = seeds && seeds->is_sequence() ? std::max<size_t>(seeds->items.size(), 1) : 1;
  for (const SweepAxis& axis : axes) {
    if (runs > SpecLimits::runs) break;  // every factor is at least 1: no overflow
    runs *= axis.values->items.size();
  }
  if (runs <= SpecLimits::runs) return true;
  problems.add(sweep_location, "sweep",
               fmt::format("the sweep times the seeds makes more than {} runs (the limit on runs "
                           "in one spec)",
                           SpecLimits::runs));
  return false;
}

}  // namespace

namespace {

// The spec's YAML tree, read under SpecLimits with its ${VAR}s expanded; nullopt after
// recording why it cannot be read (too large, invalid YAML, not a map).
std::optional<SpecNode> read_tree(const std::string& text, const std::string& origin,
                                  ProblemList& problems) {
  auto shared_origin = std::make_shared<const std::string>(origin);
  if (text.size() > SpecLimits::file_bytes) {
    problems.add({shared_origin}, "",
                 fmt::format("the spec is more than {} bytes (the limit on spec size)",
                             SpecLimits::file_bytes));
    return std::nullopt;
  }
  std::vector<UnsetVariable> unset;
  ExpandedText expanded = ExpandedText::expand(text, unset, SpecLimits::file_bytes);
  if (expanded.too_long_at() >= 0) {
    problems.add({shared_origin, expanded.too_long_at() + 1, 1}, "",
                 fmt::format("with its ${{VAR}}s expanded the spec exceeds the limit of {} "
                             "bytes here",
                             SpecLimits::file_bytes));
    return std::nullopt;
  }
  for (const UnsetVariable& u : unset)
    problems.add({shared_origin, u.line + 1, u.column + 1}, "",
                 fmt::format("environment variable '{}' is not set (write ${{{}:-default}} "
                             "to give a default)",
                             u.name, u.name));
  SpecNode root;
  try {
    root = parse_yaml(expanded.text(), origin, &expanded);
  } catch (const SpecSyntaxError& e) {
    problems.add(e.where, "", "invalid YAML: " + e.detail);
    return std::nullopt;
  } catch (const SpecLimitError& e) {
    problems.add(e.where, "", "the spec is " + e.detail);
    return std::nullopt;
  }
  if (!root.is_map()) {
    problems.add(root.location, "", "expected a map of sections (name, dataset, model, ...)");
    return std::nullopt;
  }
  return root;
}

// One run per seed of `variant`, each resolved spec naming only its own seed, so that it
// reproduces exactly that run. False when the runs so far exceed SpecLimits::run_nodes.
bool add_seed_runs(const SpecNode& variant, const std::string& label, const Location& sweep_at,
                   const kernel::PluginCatalog& catalog, std::size_t& run_nodes,
                   LoadedSpec& loaded) {
  RunSpec first = validate_run(variant, catalog, loaded.problems);
  run_nodes += count_nodes(variant) * std::max<size_t>(first.seeds.size(), 1);
  if (run_nodes > SpecLimits::run_nodes) {
    loaded.problems.add(sweep_at, "sweep",
                        fmt::format("the runs expanded hold more than {} spec nodes in all (the "
                                    "limit on nodes over all runs)",
                                    SpecLimits::run_nodes));
    return false;
  }
  for (std::int64_t seed : first.seeds) {
    SpecNode one = variant;
    SpecNode seeds;
    seeds.type = SpecNode::Type::sequence;
    seeds.items.push_back(SpecNode::make_scalar(std::to_string(seed)));
    one.set("seeds", seeds);
    RunSpec run = validate_run(one, catalog, loaded.problems);
    run.seeds = first.seeds;
    run.seed = seed;
    run.variant = label;
    run.index = static_cast<int>(loaded.runs.size());
    run.spec_file = loaded.file;
    loaded.runs.push_back(std::move(run));
  }
  return true;
}

// The field `key` of the spec's top level, removed from it (null when absent).
SpecNode take_field(SpecNode& root, const std::string& key) {
  SpecNode taken;
  if (const SpecNode* found = root.find(key)) {
    taken = *found;
    taken.key_location = found->key_location;
  }
  std::erase_if(root.fields, [&key](const auto& field) { return field.first == key; });
  return taken;
}

// Halving continues every trial's own schedule rung by rung: they must share its length.
void check_halving(const SearchPlan& plan, LoadedSpec& loaded) {
  if (plan.method != SearchPlan::Method::halving || loaded.runs.empty()) return;
  const int epochs = loaded.runs.front().train.epochs;
  for (const RunSpec& run : loaded.runs)
    if (run.train.epochs != epochs)
      return loaded.problems.add(plan.location, "search",
                                 "halving needs every trial to train the same train.epochs "
                                 "(its last rung): do not search train.epochs");
  if (plan.min_epochs > epochs)
    loaded.problems.add(plan.location, "search.min_epochs",
                        fmt::format("the first rung's {} epochs exceed train.epochs ({})",
                                    plan.min_epochs, epochs));
}

// The search's trials, each `root` with its drawn values (set as --set would), once per seed.
void expand_search(const SpecNode& root, const SpecNode& block,
                   const kernel::PluginCatalog& catalog, LoadedSpec& loaded) {
  std::optional<SearchPlan> plan = read_search_block(block, loaded.problems);
  if (!plan) return;
  const SpecNode* seeds = root.find("seeds");
  const std::size_t per_trial =
      seeds && seeds->is_sequence() ? std::max<std::size_t>(seeds->items.size(), 1) : 1;
  if (plan->trials * per_trial > SpecLimits::runs)
    return loaded.problems.add(block.location, "search.trials",
                               fmt::format("the trials times the seeds make more than {} runs "
                                           "(the limit on runs in one spec)",
                                           SpecLimits::runs));
  const SpecNode& space = *block.find("space");
  std::size_t run_nodes = 0;
  for (const search::Trial& trial :
       search::draw_trials(plan->space, plan->trials, plan->sampler, plan->seed)) {
    SpecNode variant = root;
    for (std::size_t d = 0; d < trial.overrides.size(); ++d)
      set_at_path(variant, trial.overrides[d].first, trial.overrides[d].second,
                  space.fields[d].second.key_location, "search key", loaded.problems);
    const std::size_t first = loaded.runs.size();
    if (!add_seed_runs(variant, trial_label(trial.index), block.location, catalog, run_nodes,
                       loaded))
      break;
    for (std::size_t r = first; r < loaded.runs.size(); ++r) loaded.runs[r].trial = trial.index;
  }
  check_halving(*plan, loaded);
  loaded.search = std::move(plan);
}

}  // namespace

LoadedSpec load_spec_text(const std::string& text, const std::string& origin,
                          const std::vector<std::string>& overrides,
                          const kernel::PluginCatalog& catalog) {
  LoadedSpec loaded;
  loaded.file = origin;
  std::optional<SpecNode> tree = read_tree(text, origin, loaded.problems);
  if (!tree) return loaded;
  SpecNode& root = *tree;
  for (const std::string& o : overrides) apply_override(root, o, loaded.problems);

  // Axes point into `sweep`, which must outlive them: take it out of the tree first.
  SpecNode sweep = take_field(root, "sweep"), search = take_field(root, "search");
  if (!search.is_null()) {
    if (!sweep.is_null())
      loaded.problems.add(search.key_location, "search",
                          "a spec has a sweep or a search, not both (search the swept keys "
                          "with a choice)");
    else
      expand_search(root, search, catalog, loaded);
    if (!loaded.problems.empty()) loaded.runs.clear();
    return loaded;
  }
  std::vector<SweepAxis> axes;
  if (!sweep.is_null()) axes = sweep_axes(sweep, loaded.problems);
  if (!runs_within_limit(root, axes, sweep.location, loaded.problems)) return loaded;
  std::size_t run_nodes = 0;

  // Cartesian product of the axes, the first axis varying slowest.
  std::vector<size_t> choice(axes.size(), 0);
  while (true) {
    SpecNode variant = root;
    std::string label;
    for (size_t a = 0; a < axes.size(); ++a) {
      const SpecNode& value = axes[a].values->items[choice[a]];
      if (SpecNode* target = node_at(variant, axes[a].segments)) {
        Location key_location = target->key_location;
        *target = value;
        target->key_location = key_location;
      } else {
        loaded.problems.add(value.location, "sweep", "this key path does not exist in the spec");
      }
      label += (label.empty() ? "" : ",") + axes[a].label_key + "=" + short_label(value);
    }
    if (!add_seed_runs(variant, label, sweep.location, catalog, run_nodes, loaded)) break;
    size_t a = axes.size();
    while (a > 0 && ++choice[a - 1] == axes[a - 1].values->items.size()) choice[--a] = 0;
    if (a == 0) break;
  }
  if (!loaded.problems.empty()) loaded.runs.clear();
  return loaded;
}

LoadedSpec load_spec(const std::string& file, const std::vector<std::string>& overrides,
                     const kernel::PluginCatalog& catalog) {
  std::ifstream in(file);
  if (!in) {
    LoadedSpec loaded;
    loaded.file = file;
    loaded.problems.add({std::make_shared<const std::string>(file)}, "",
                        "cannot read the spec file");
    return loaded;
  }
  // Reads one byte past the limit at most (a FIFO or /dev/zero never ends), so that
  // load_spec_text refuses what is too long.
  std::string text(SpecLimits::file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return load_spec_text(text, file, overrides, catalog);
}

}  // namespace ferlab::spec
