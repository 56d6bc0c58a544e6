// `ferlab check SPEC`: validate a spec and print every run fully resolved.
#include <fmt/format.h>

#include "commands.hpp"
#include "spec/spec_loader.hpp"

namespace ferlab::cli {

// Loads a spec and prints its problems; throws the exit code when it is invalid.
spec::LoadedSpec load_valid_spec(const GlobalOptions& global, const std::string& file,
                                 const std::vector<std::string>& overrides,
                                 kernel::PluginCatalog& catalog) {
  if (!load_catalog(global, catalog)) throw CLI::RuntimeError(exit_failure);
  spec::LoadedSpec loaded = spec::load_spec(file, overrides, catalog);
  for (const spec::SpecProblem& p : loaded.problems.all()) fmt::print(stderr, "{}\n", p.text());
  if (!loaded.problems.empty()) {
    fmt::print(stderr, "{}: {} problem{} found; nothing was run\n", file, loaded.problems.size(),
               loaded.problems.size() == 1 ? "" : "s");
    throw CLI::RuntimeError(exit_invalid_spec);
  }
  return loaded;
}

void add_check_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("check", "Validate a spec and print each run fully resolved");
  struct Options {
    std::string file;
    std::vector<std::string> overrides;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML)")->required();
  cmd->add_option("--set", o->overrides, "Override a key: --set train.epochs=5")
      ->type_name("KEY=VALUE");
  cmd->callback([&global, o] {
    kernel::PluginCatalog catalog;
    spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    for (const spec::RunSpec& run : loaded.runs) {
      fmt::print("---\n# run {}/{}: {}seed {}\n{}", run.index + 1, loaded.runs.size(),
                 run.variant.empty() ? "" : run.variant + ", ", run.seed, run.resolved_yaml);
    }
    fmt::print(stderr, "{}: valid, {} run{}\n", o->file, loaded.runs.size(),
               loaded.runs.size() == 1 ? "" : "s");
  });
}

}  // namespace ferlab::cli
