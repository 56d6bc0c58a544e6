// `ferlab check SPEC`: validate a spec and print every run fully resolved; with --build, also
// build every run's network on its data's shape and classes.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "assembly/data_stages.hpp"
#include "assembly/network_setup.hpp"
#include "commands.hpp"
#include "graph/experiment_graph.hpp"
#include "run/event_log.hpp"
#include "search/space.hpp"
#include "spec/spec_loader.hpp"

namespace ferlab::cli {
namespace {

// The shape of a run's first training image after its preprocessing chain (fitted on the first
// train images only: enough for a shape), and its class count.
std::pair<InputShape, int> probe_input(const kernel::PluginCatalog& catalog,
                                       const spec::RunSpec& run) {
  run::EventLog events;
  DatasetContents data = assembly::load_dataset(catalog, run.dataset, events);
  std::vector<Sample>& train = data.splits.at("train");
  train.resize(std::min<std::size_t>(train.size(), 64));
  DatasetContents probe{data.classes, {{"train", std::move(train)}}};
  for (const spec::PluginCall& call : run.preprocess)
    probe = assembly::preprocess(catalog, call, probe, events);
  return {assembly::training_input_shape(probe), static_cast<int>(data.classes.size())};
}

// Builds every run's network as `run` would, loading each distinct dataset and preprocessing
// chain once: a layer given the wrong number of inputs, shapes that do not fit, or a network
// whose outputs are not one per class are found before any training. Returns the problems.
int build_networks(const kernel::PluginCatalog& catalog, const spec::LoadedSpec& loaded) {
  std::map<std::uint64_t, std::pair<InputShape, int>> inputs;  // by data stage key
  int problems = 0;
  for (const spec::RunSpec& run : loaded.runs) {
    try {
      const std::uint64_t key = graph::data_stage_keys(run).back();
      auto input = inputs.find(key);
      if (input == inputs.end()) input = inputs.emplace(key, probe_input(catalog, run)).first;
      assembly::build_network(catalog, run, input->second.first, input->second.second);
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}: run {}/{}{}: model: {}\n", loaded.file, run.index + 1,
                 loaded.runs.size(), run.variant.empty() ? "" : " (" + run.variant + ")", e.what());
      ++problems;
    }
  }
  return problems;
}

// A YAML value on one line: a block map ("plugin: vgg\nwidth: 8\n") as {plugin: vgg, width: 8}.
std::string one_line(std::string yaml) {
  while (!yaml.empty() && yaml.back() == '\n') yaml.pop_back();
  if (yaml.find('\n') == std::string::npos) return yaml;
  std::string out;
  for (char c : yaml) out += c == '\n' ? std::string(", ") : std::string(1, c);
  return "{" + out + "}";
}

std::vector<std::string> one_line_all(const std::vector<std::string>& yaml) {
  std::vector<std::string> out;
  for (const std::string& y : yaml) out.push_back(one_line(y));
  return out;
}

// The search space and the first trials drawn from it, as comments before the runs.
void print_search(const spec::SearchPlan& plan) {
  const bool halving = plan.method == spec::SearchPlan::Method::halving;
  fmt::print("# search: {} trials, {} sampler, seed {}{}\n", plan.trials,
             plan.sampler == search::Sampler::sobol ? "Sobol" : "random", plan.seed,
             halving ? fmt::format(", successive halving (eta {}, first rung {} epoch{})", plan.eta,
                                   plan.min_epochs, plan.min_epochs == 1 ? "" : "s")
                     : "");
  static const char* kinds[] = {"uniform", "loguniform", "int", "choice"};
  for (const search::Dimension& d : plan.space)
    fmt::print("#   {}: {} {}\n", d.key, kinds[static_cast<int>(d.kind)],
               d.kind == search::Dimension::Kind::choice
                   ? fmt::format("[{}]", fmt::join(one_line_all(d.choices), " | "))
                   : fmt::format("[{}, {}]", d.low, d.high));
  const std::size_t shown = std::min<std::size_t>(plan.trials, 10);
  for (const search::Trial& t : search::draw_trials(plan.space, shown, plan.sampler, plan.seed)) {
    std::vector<std::string> values;
    for (const auto& [key, value] : t.overrides) values.push_back(key + "=" + one_line(value));
    fmt::print("#   trial {}: {}\n", t.index, fmt::join(values, ", "));
  }
  if (shown < plan.trials) fmt::print("#   ... {} more trials\n", plan.trials - shown);
}

}  // namespace

// Loads a spec and prints its problems; throws the exit code when it is invalid.
spec::LoadedSpec load_valid_spec(const GlobalOptions& global, const std::string& file,
                                 const std::vector<std::string>& overrides,
                                 kernel::PluginCatalog& catalog) {
  if (!load_catalog(global, catalog)) throw ExitCode(exit_failure);
  spec::LoadedSpec loaded = spec::load_spec(file, overrides, catalog);
  for (const spec::SpecProblem& p : loaded.problems.all()) fmt::print(stderr, "{}\n", p.text());
  if (!loaded.problems.empty()) {
    fmt::print(stderr, "{}: {} problem{} found; nothing was run\n", file, loaded.problems.size(),
               loaded.problems.size() == 1 ? "" : "s");
    throw ExitCode(exit_invalid_spec);
  }
  return loaded;
}

void add_check_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("check", "Validate a spec and print each run fully resolved");
  struct Options {
    std::string file;
    std::vector<std::string> overrides;
    bool build = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML)")->required();
  cmd->add_option("--set", o->overrides, "Override a key: --set train.epochs=5")
      ->type_name("KEY=VALUE");
  cmd->add_flag("--build", o->build,
                "Also load each dataset once and build every run's network on its images' shape "
                "and class count, so that network errors come before `run`");
  cmd->callback([&global, o] {
    kernel::PluginCatalog catalog;
    spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    if (loaded.search) print_search(*loaded.search);
    for (const spec::RunSpec& run : loaded.runs) {
      fmt::print("---\n# run {}/{}: {}seed {}\n{}", run.index + 1, loaded.runs.size(),
                 run.variant.empty() ? "" : run.variant + ", ", run.seed, run.resolved_yaml);
    }
    if (o->build) {
      if (const int problems = build_networks(catalog, loaded)) {
        fmt::print(stderr, "{}: {} network{} cannot be built; nothing was run\n", o->file, problems,
                   problems == 1 ? "" : "s");
        throw ExitCode(exit_invalid_spec);
      }
    }
    fmt::print(stderr, "{}: valid, {} run{}{}\n", o->file, loaded.runs.size(),
               loaded.runs.size() == 1 ? "" : "s", o->build ? ", every network built" : "");
  });
}

}  // namespace ferlab::cli
