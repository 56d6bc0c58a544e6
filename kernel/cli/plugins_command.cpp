// `ferlab plugins [--kind K] [--json]`: what is installed and what each plugin accepts.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "commands.hpp"
#include "common.hpp"
#include "loader/text.hpp"

namespace ferlab::cli {
namespace {

nlohmann::json to_json(const Value& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return nullptr;
        else
          return v;
      },
      value);
}

nlohmann::json schema_json(const Schema& schema) {
  nlohmann::json params = nlohmann::json::array();
  for (const ParamSpec& p : schema) {
    nlohmann::json j = {
        {"name", p.name}, {"type", to_string(p.type)}, {"doc", p.doc}, {"required", p.required()}};
    if (!p.required()) j["default"] = to_json(p.default_value);
    if (p.min) j["min"] = *p.min;
    if (p.max) j["max"] = *p.max;
    if (!p.choices.empty()) j["choices"] = p.choices;
    params.push_back(j);
  }
  return params;
}

std::string range_text(const ParamSpec& p) {
  if (!p.choices.empty()) return "one of " + kernel::join(p.choices, "|");
  if (!p.min && !p.max) return "";
  return fmt::format("in [{}, {}]", p.min ? fmt::format("{}", *p.min) : "-inf",
                     p.max ? fmt::format("{}", *p.max) : "inf");
}

}  // namespace

void add_plugins_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("plugins", "List the plugins found and the parameters each takes");
  auto kind = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--kind", *kind, "Only this kind")
      ->check_one_of({"dataset", "preprocessor", "augmenter", "layer", "backbone"});
  cmd->add_flag("--json", *json, "One JSON object per plugin, in a JSON array");
  cmd->callback([&global, kind, json] {
    kernel::PluginCatalog catalog;
    bool clean = load_catalog(global, catalog);
    Kind wanted{};
    bool filter = !kind->empty() && parse_kind(*kind, wanted);
    nlohmann::json out = nlohmann::json::array();
    for (const kernel::PluginInfo* info : catalog.all()) {
      const Factory& f = info->factory;
      if (filter && f.kind != wanted) continue;
      if (*json) {
        out.push_back({{"kind", to_string(f.kind)},
                       {"name", f.name},
                       {"version", info->library->version},
                       {"library", info->library->name},
                       {"file", info->library->file.string()},
                       {"description", f.doc},
                       {"params", schema_json(f.schema)}});
        continue;
      }
      fmt::print("{:<13}{:<20}{:<9}{}\n", to_string(f.kind), f.name, info->library->version,
                 info->library->file.string());
      if (!f.doc.empty()) fmt::print("    {}\n", f.doc);
      for (const ParamSpec& p : f.schema)
        fmt::print("    {}: {}{}{} -- {}\n", p.name, to_string(p.type),
                   p.required() ? " (required)" : " = " + to_string(p.default_value),
                   range_text(p).empty() ? "" : ", " + range_text(p), p.doc);
    }
    if (*json) std::cout << out.dump(2) << "\n";
    if (!clean) throw ExitCode(exit_failure);
  });
}

}  // namespace ferlab::cli
