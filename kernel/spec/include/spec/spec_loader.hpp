// Reads a spec file, expands ${VAR}s, applies --set overrides, expands the sweep (or the
// search's trials) and the seeds, and validates every run, collecting all problems at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loader/plugin_catalog.hpp"
#include "spec/problems.hpp"
#include "spec/run_spec.hpp"
#include "spec/search_block.hpp"

namespace ferlab::spec {

struct LoadedSpec {
  std::string file;
  std::vector<RunSpec> runs;         // variants in sweep order, each once per seed
  ProblemList problems;              // when not empty, runs must not be used
  std::optional<SearchPlan> search;  // a search: runs are its trials, each once per seed
};

// overrides: "key.path=value" as given to --set (value is YAML: 5, [1, 2], {plugin: vgg}).
LoadedSpec load_spec(const std::string& file, const std::vector<std::string>& overrides,
                     const kernel::PluginCatalog& catalog);

// The same from text already in memory; `origin` names it in messages.
LoadedSpec load_spec_text(const std::string& text, const std::string& origin,
                          const std::vector<std::string>& overrides,
                          const kernel::PluginCatalog& catalog);

}  // namespace ferlab::spec
