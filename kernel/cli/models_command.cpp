// `ferlab models`: the shipped models found by name (see models/shipped_models.hpp), with the
// size and accuracies their manifests record.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "evaluation/manifest.hpp"
#include "models/shipped_models.hpp"
#include "text_table.hpp"

namespace ferlab::cli {
namespace {

std::string percent(const evaluation::ManifestSummary& s, const std::string& split,
                    const std::string& tta) {
  auto at = s.accuracy.find(split);
  if (at == s.accuracy.end() || !at->second.count(tta)) return "-";
  return fmt::format("{:.2f}", 100 * at->second.at(tta));
}

void list_models(bool markdown) {
  const std::vector<models::ShippedModel> found = models::shipped_models();
  if (found.empty()) {
    fmt::print("no shipped models in:");
    for (const auto& dir : models::model_search_path()) fmt::print(" {}", dir.string());
    fmt::print("\n");
    return;
  }
  const std::vector<std::string> tta = {"none", "hflip", "ten-crop"};
  TextTable table;
  table.columns = {{"name"}, {"MiB", true}, {"params", true}, {"MMACs", true}};
  for (const char* split : {"val", "test"})
    for (const std::string& mode : tta)
      table.columns.push_back(
          {fmt::format("{} %{}", split, mode == "none" ? "" : " " + mode), true});
  if (!markdown) table.columns.push_back({"file"});
  for (const models::ShippedModel& m : found) {
    evaluation::ManifestSummary s;
    try {
      if (std::filesystem::exists(m.manifest)) s = evaluation::read_manifest(m.manifest);
    } catch (const std::exception& e) {
      fmt::print(stderr, "warning: {}\n", e.what());
    }
    std::vector<std::string> cells = {
        m.is_ensemble() ? fmt::format("{} ({})", m.name, fmt::join(m.members, " + ")) : m.name,
        fmt::format("{:.1f}", (m.is_ensemble() ? s.bytes
                                               : static_cast<std::int64_t>(
                                                     std::filesystem::file_size(m.file))) /
                                  1048576.0),
        s.parameters ? fmt::format("{:.2f}M", s.parameters / 1e6) : "-",
        s.macs ? fmt::format("{:.0f}", s.macs / 1e6) : "-"};
    for (const char* split : {"val", "test"})
      for (const std::string& mode : tta) cells.push_back(percent(s, split, mode));
    if (!markdown) cells.push_back(m.file.string());
    table.rows.push_back({cells, ""});
  }
  fmt::print("{}", render(table, markdown ? TableFormat::markdown : TableFormat::plain));
  if (!markdown)
    fmt::print(
        "accuracy in % as `ferlab evaluate` measured it on each file (its manifest); an "
        "ensemble is the mean of its members' probabilities, its size and MACs their sum; "
        "FER2013: val = PublicTest (checkpoint selection), test = PrivateTest\n");
}

}  // namespace

void add_models_command(CLI::App& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand(
      "models", "List the shipped models (use a name with predict, evaluate, export, init_from)");
  auto markdown = std::make_shared<bool>(false);
  cmd->add_flag("--markdown", *markdown, "A GitHub Markdown table (for the README)");
  cmd->callback([markdown] { list_models(*markdown); });
}

}  // namespace ferlab::cli
