// `ferlab graph SPEC [--dot]`: the stages a spec expands to, shared stages marked.
#include <fmt/format.h>

#include "commands.hpp"
#include "graph/experiment_graph.hpp"

namespace ferlab::cli {

void add_graph_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("graph", "Print the experiment graph of a spec");
  struct Options {
    std::string file;
    std::vector<std::string> overrides;
    bool dot = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML)")->required();
  cmd->add_option("--set", o->overrides, "Override a key: --set train.epochs=5")
      ->type_name("KEY=VALUE");
  cmd->add_flag("--dot", o->dot, "Graphviz DOT instead of text");
  cmd->callback([&global, o] {
    kernel::PluginCatalog catalog;
    spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    graph::ExperimentGraph g = graph::ExperimentGraph::build(loaded.runs);
    fmt::print("{}", o->dot ? g.dot() : g.text());
  });
}

}  // namespace ferlab::cli
