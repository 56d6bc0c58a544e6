// `ferlab model SPEC`: the network each variant of a spec builds, as a layer table with output
// shapes, parameters and multiply-accumulates.
#include <fmt/format.h>

#include <ferlab/backbone.hpp>
#include <regex>
#include <set>

#include "assembly/plugin_layers.hpp"
#include "commands.hpp"
#include "engine/network.hpp"

namespace ferlab::cli {
namespace {

InputShape parse_input(const std::string& text) {
  static const std::regex shape(R"((\d+)x(\d+)x(\d+))");
  std::smatch m;
  if (!std::regex_match(text, m, shape))
    throw UsageError("--input", "expected CxHxW such as 1x48x48, got " + text);
  return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

std::string shape_text(const std::vector<std::int64_t>& dims) {
  std::string out;
  for (auto d : dims) {
    if (!out.empty()) out += 'x';
    out += std::to_string(d);
  }
  return out;
}

std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void print_table(const engine::Network& network) {
  fmt::print("  {:<24} {:<16} {:<14} {:>12} {:>14}\n", "layer", "type", "output", "params", "MACs");
  for (const engine::LayerSummary& l : network.summary())
    fmt::print("  {:<24} {:<16} {:<14} {:>12} {:>14}\n", l.name, l.type, shape_text(l.output),
               grouped(l.parameters), grouped(l.macs));
  fmt::print("  total: {} parameters, {:.1f}M MACs per image\n", grouped(network.parameter_count()),
             network.macs() / 1e6);
}

}  // namespace

void add_model_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("model",
                                 "Show the network of each variant: layers, shapes, "
                                 "parameters and MACs");
  struct Options {
    std::string file, input = "1x48x48";
    std::vector<std::string> overrides;
    int classes = 7;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML)")->required();
  cmd->add_option("--set", o->overrides, "Override a key")->type_name("KEY=VALUE");
  cmd->add_option("--input", o->input, "Input image shape CxHxW")->capture_default_str();
  cmd->add_option("--classes", o->classes, "Number of classes")->capture_default_str();
  cmd->callback([&global, o] {
    InputShape input = parse_input(o->input);
    kernel::PluginCatalog catalog;
    spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    std::set<std::string> shown;  // seeds do not change the network
    for (const spec::RunSpec& run : loaded.runs) {
      if (!shown.insert(run.variant).second) continue;
      NetworkDef def = run.layers;
      std::string name = "inline network";
      if (run.backbone) {
        def = catalog.create<Backbone>(run.backbone->plugin, run.backbone->params)
                  ->build(input, o->classes);
        name = "backbone " + run.backbone->plugin;
      }
      engine::Network network(def, assembly::catalog_layer_factory(catalog), input);
      fmt::print("{}{} on {}:\n", run.variant.empty() ? "" : run.variant + ": ", name, o->input);
      print_table(network);
    }
  });
}

}  // namespace ferlab::cli
