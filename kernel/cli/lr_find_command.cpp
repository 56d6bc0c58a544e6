// `ferlab lr-find SPEC`: the learning-rate range test on the spec's first run, its loss curve
// printed and drawn, and a suggested rate.
#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "commands.hpp"
#include "report/lr_find_chart.hpp"
#include "run/lr_find.hpp"
#include "storage/lr_find_records.hpp"
#include "storage/run_store.hpp"

namespace ferlab::cli {
namespace {

// The test as the run database keeps it (and the plot draws it).
storage::LrFindRecord as_record(const spec::LoadedSpec& spec, const std::string& spec_file,
                                const run::LrFindOptions& options, const run::LrFindResult& r) {
  storage::LrFindRecord out;
  out.experiment = spec.runs.front().experiment;
  out.variant = spec.runs.front().variant;
  std::ifstream in(spec_file);
  out.spec_text.assign(std::istreambuf_iterator<char>(in), {});
  out.steps = options.steps;
  out.start = options.start;
  out.end = options.end;
  out.suggested = r.steepest;
  out.minimum = r.minimum;
  out.stopped = r.stopped;
  out.rates = r.rates;
  out.losses = r.losses;
  out.smoothed = r.smoothed;
  return out;
}

void write_plot(const std::string& path, const storage::LrFindRecord& test) {
  std::ofstream out(path);
  out << report::lr_find_chart("lr-find", test);
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

}  // namespace

void add_lr_find_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "lr-find", "Learning-rate range test: train with a rate growing exponentially, suggest one");
  struct Options {
    std::string file, plot = "lr-find.svg", db;
    std::vector<std::string> overrides;
    run::LrFindOptions find;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML); its first run is tested")->required();
  cmd->add_option("--set", o->overrides, "Override a key: --set train.batch=32")
      ->type_name("KEY=VALUE");
  cmd->add_option("--steps", o->find.steps, "Training steps at most")->capture_default_str();
  cmd->add_option("--start", o->find.start, "First learning rate")->capture_default_str();
  cmd->add_option("--end", o->find.end, "Last learning rate")->capture_default_str();
  cmd->add_option("--threads", o->find.threads, "Threads (0 = one per core)")
      ->capture_default_str();
  cmd->add_option("--cache", o->find.cache, "Image cache folder (default: none)");
  cmd->add_option("--plot", o->plot, "SVG file for the loss curve")->capture_default_str();
  cmd->add_option("--db", o->db,
                  "Also record the test in this run database, where `ferlab report` shows it");
  cmd->callback([&global, o] {
    kernel::PluginCatalog catalog;
    const spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    const run::LrFindResult r = run::find_learning_rate(loaded, catalog, o->find);
    fmt::print("step  learning rate  loss     smoothed\n");
    const std::size_t every = std::max<std::size_t>(1, r.rates.size() / 20);
    for (std::size_t i = 0; i < r.rates.size(); i += every)
      fmt::print("{:>4}  {:>13.3e}  {:<7.4f}  {:.4f}\n", i + 1, r.rates[i], r.losses[i],
                 r.smoothed[i]);
    if (!r.stopped.empty()) fmt::print("stopped after {} steps: {}\n", r.rates.size(), r.stopped);
    const storage::LrFindRecord record = as_record(loaded, o->file, o->find, r);
    write_plot(o->plot, record);
    if (!o->db.empty()) {
      storage::RunStore store(o->db);  // creates and migrates the database
      storage::record_lr_find(store.database(), record);
    }
    fmt::print(
        "suggested learning rate: {:.3g} (steepest descent of the smoothed loss; its "
        "minimum is at {:.3g})\nplot: {}\n{}",
        r.steepest, r.minimum, o->plot,
        o->db.empty() ? "" : fmt::format("recorded in {} (its report shows the test)\n", o->db));
  });
}

}  // namespace ferlab::cli
