// `ferlab preview SPEC --out grid.png`: a labelled grid of a split's faces as loaded, after the
// spec's preprocessing and after its training augmentation, to see what a method does to faces.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "commands.hpp"
#include "run/data_preview.hpp"

namespace ferlab::cli {
namespace {

struct Options {
  std::string file, split = "train", out;
  std::vector<std::string> overrides;
  int count = 64, run = 1;
};

// Before any work: a grid that cannot be written is not worth loading a dataset for.
void check_options(const Options& o) {
  if (o.count < 1)
    throw UsageError("--n", fmt::format("expected at least 1 image, got {}", o.count));
  const std::filesystem::path folder = std::filesystem::path(o.out).parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder))
    throw UsageError(
        "--out", fmt::format("the folder '{}' does not exist (for {})", folder.string(), o.out));
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error(path + ": cannot write the preview");
}

}  // namespace

void add_preview_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "preview", "Write a labelled grid of faces as loaded, preprocessed and augmented (PNG)");
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML)")->required();
  cmd->add_option("--split", o->split, "Split to take the faces from")->capture_default_str();
  cmd->add_option("--n", o->count, "Faces to show (a stratified, seeded pick)")
      ->capture_default_str();
  cmd->add_option("--run", o->run, "Which run of a sweep, as `ferlab check` numbers them")
      ->capture_default_str();
  cmd->add_option("--set", o->overrides, "Override a key: --set augment=[]")
      ->type_name("KEY=VALUE");
  cmd->add_option("--out", o->out, "PNG file to write")->required();
  cmd->callback([&global, o] {
    check_options(*o);
    kernel::PluginCatalog catalog;
    spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    const int runs = static_cast<int>(loaded.runs.size());
    if (o->run < 1 || o->run > runs)
      throw UsageError("--run", fmt::format("the spec has {} run{}: expected 1 to {}, got {}", runs,
                                            runs == 1 ? "" : "s", runs, o->run));
    const spec::RunSpec& run = loaded.runs[static_cast<std::size_t>(o->run - 1)];
    if (runs > 1)
      fmt::print("previewing run {}/{}: {}seed {}\n", o->run, runs,
                 run.variant.empty() ? "" : run.variant + ", ", run.seed);
    run::EventLog events;
    const run::DataPreview preview =
        run::make_preview(catalog, run, o->split, static_cast<std::size_t>(o->count), events);
    const std::size_t shown = preview.sections.front().tiles.size();
    const cv::Mat grid = run::draw_grid(preview.sections, run::preview_style(shown));
    write_file(o->out, run::encode_png(grid));
    fmt::print("wrote {} ({}x{}): {} of the {} {} faces, {} classes\n", o->out, grid.cols,
               grid.rows, shown, preview.split_size, o->split, preview.classes);
    for (const run::GridSection& s : preview.sections) fmt::print("  {}\n", s.title);
    for (const std::string& why : preview.left_out) fmt::print("  left out: {}\n", why);
  });
}

}  // namespace ferlab::cli
