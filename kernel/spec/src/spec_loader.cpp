#include "spec/spec_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ferlab/schema_check.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "spec/env_expand.hpp"
#include "spec/kernel_schema.hpp"
#include "spec/spec_limits.hpp"
#include "spec/validator.hpp"

namespace ferlab::spec {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream in(path);
  std::string segment;
  while (std::getline(in, segment, '.')) out.push_back(segment);
  return out;
}

bool is_index(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Checks that a key path names something the kernel schema knows, as far as the kernel's own
// sections go (plugin parameters are checked when each run is validated).
bool check_path(const std::vector<std::string>& segments, const Location& where,
                const std::string& what, ProblemList& problems) {
  const Section* section = &experiment_schema();
  std::string walked;
  for (const std::string& segment : segments) {
    if (!section) return true;
    const Field* field = section->find(segment);
    if (!field) {
      problems.add(where, child_path(walked, segment),
                   fmt::format("{} names unknown key '{}'{}", what, segment,
                               did_you_mean(segment, section->keys())));
      return false;
    }
    walked = child_path(walked, segment);
    section = field->type == Field::Type::section ? field->section : nullptr;
  }
  if (segments.empty()) problems.add(where, "", what + " has an empty key path");
  return !segments.empty();
}

// The node at a path, creating maps on the way. Returns nullptr where a path segment cannot
// apply (an index into a map, an index past the end of a list).
SpecNode* node_at(SpecNode& root, const std::vector<std::string>& segments) {
  SpecNode* node = &root;
  for (const std::string& segment : segments) {
    if (node->is_sequence() && is_index(segment)) {
      size_t i = std::stoul(segment);
      if (i >= node->items.size()) return nullptr;
      node = &node->items[i];
      continue;
    }
    if (node->is_null()) *node = SpecNode::make_map(node->location);
    if (!node->is_map()) return nullptr;
    SpecNode* child = node->find(segment);
    if (!child) child = &node->set(segment, SpecNode());
    node = child;
  }
  return node;
}

void forget_lines(SpecNode& node) {
  node.location.line = node.location.column = 0;
  node.key_location.line = node.key_location.column = 0;
  for (SpecNode& item : node.items) forget_lines(item);
  for (auto& field : node.fields) forget_lines(field.second);
}

void apply_override(SpecNode& root, const std::string& text, ProblemList& problems) {
  Location where{std::make_shared<const std::string>("--set " + text), 0, 0};
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    problems.add(where, "", "expected key.path=value");
    return;
  }
  std::vector<std::string> segments = split_path(text.substr(0, eq));
  if (!check_path(segments, where, "--set", problems)) return;
  SpecNode value;
  try {
    value = parse_yaml(text.substr(eq + 1), *where.origin);
    forget_lines(value);  // a --set value is one line of its own: its origin says it all
  } catch (const SpecSyntaxError& e) {
    problems.add(where, text.substr(0, eq), "invalid YAML value: " + e.detail);
    return;
  } catch (const SpecLimitError& e) {
    problems.add(where, text.substr(0, eq), "the value is " + e.detail);
    return;
  }
  SpecNode* target = node_at(root, segments);
  if (!target) {
    problems.add(where, text.substr(0, eq), "this path does not exist in the spec");
    return;
  }
  value.key_location = target->key_location.line ? target->key_location : where;
  *target = std::move(value);
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
  SpecNode sweep;
  if (const SpecNode* found = root.find("sweep")) sweep = *found;
  std::vector<SweepAxis> axes;
  if (!sweep.is_null()) axes = sweep_axes(sweep, loaded.problems);
  std::erase_if(root.fields, [](const auto& field) { return field.first == "sweep"; });
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
