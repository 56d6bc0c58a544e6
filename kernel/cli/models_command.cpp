// `ferlab models`: the shipped models found by name (see models/shipped_models.hpp), with the
// size and accuracies their manifests record.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>

#include "assembly/model_set.hpp"
#include "commands.hpp"
#include "engine/threads.hpp"
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

// Median milliseconds for one face through the model's networks (an ensemble: every member, one
// after the other): inference mode, batch 1, one thread; 200 timed passes after 20 warm-up ones.
// Preprocessing and face detection are not included.
double latency_ms(const kernel::PluginCatalog& catalog, const std::string& name) {
  assembly::ModelSet set = assembly::load_models(catalog, {name}, "");
  engine::set_threads(1);
  for (assembly::ModelBundle& m : set.members()) {
    m.network->prepare(1);
    const InputShape& s = m.network->input_shape();
    std::fill_n(m.network->input(), s.channels * s.height * s.width, 0.5f);
  }
  auto pass = [&set] {
    for (assembly::ModelBundle& m : set.members()) m.network->forward(engine::Pass::inference);
  };
  for (int i = 0; i < 20; ++i) pass();
  std::vector<double> ms;
  for (int i = 0; i < 200; ++i) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

void list_models(bool markdown, const kernel::PluginCatalog* timing) {
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
  if (timing) table.columns.push_back({"ms/face", true});
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
    if (timing) cells.push_back(fmt::format("{:.2f}", latency_ms(*timing, m.name)));
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
  if (timing)
    fmt::print(
        "{}ms/face: median of 200 inference passes at batch 1 on one thread of this "
        "machine, network only (no face detection); an ensemble runs every member\n",
        markdown ? "\n" : "");
}

}  // namespace

void add_models_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "models", "List the shipped models (use a name with predict, evaluate, export, init_from)");
  struct Options {
    bool markdown = false, latency = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_flag("--markdown", o->markdown, "A GitHub Markdown table (for the README)");
  cmd->add_flag("--latency", o->latency,
                "Measure each model's inference time per face on this machine (a few seconds "
                "each)");
  cmd->callback([&global, o] {
    if (!o->latency) return list_models(o->markdown, nullptr);
    kernel::PluginCatalog catalog;
    if (!load_catalog(global, catalog)) throw ExitCode(exit_failure);
    list_models(o->markdown, &catalog);
  });
}

}  // namespace ferlab::cli
