// `ferlab lr-find SPEC`: the learning-rate range test on the spec's first run, its loss curve
// printed and drawn, and a suggested rate.
#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "commands.hpp"
#include "report/svg_chart.hpp"
#include "run/lr_find.hpp"

namespace ferlab::cli {
namespace {

// Loss against log10(rate): whole-number ticks are decades.
void write_plot(const std::string& path, const run::LrFindResult& r) {
  report::Series raw{"loss", "#bbbbbb", {}, {}, {}, {}},
      smoothed{"smoothed", "#0072b2", {}, {}, {}, {}};
  for (std::size_t i = 0; i < r.rates.size(); ++i) {
    const double x = std::log10(r.rates[i]);
    raw.x.push_back(x);
    smoothed.x.push_back(x);
    raw.mean.push_back(r.losses[i]);
    smoothed.mean.push_back(r.smoothed[i]);
  }
  raw.low = raw.high = raw.mean;
  smoothed.low = smoothed.high = smoothed.mean;
  std::ofstream out(path);
  out << report::line_chart(
      "lr-find",
      fmt::format("training loss against the learning rate (suggested {:.3g})", r.steepest),
      "log10 learning rate", {raw, smoothed});
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

}  // namespace

void add_lr_find_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "lr-find", "Learning-rate range test: train with a rate growing exponentially, suggest one");
  struct Options {
    std::string file, plot = "lr-find.svg";
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
    write_plot(o->plot, r);
    fmt::print(
        "suggested learning rate: {:.3g} (steepest descent of the smoothed loss; its "
        "minimum is at {:.3g})\nplot: {}\n",
        r.steepest, r.minimum, o->plot);
  });
}

}  // namespace ferlab::cli
