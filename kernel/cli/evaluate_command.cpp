// `ferlab evaluate --model NAME|RUN|CHECKPOINT [--model ...] --db F`: models measured on their
// dataset's val and test splits with each TTA mode, recorded as a run (two or more models: an
// ensemble, the mean of their probabilities); --manifest writes a shipped model's manifest.
#include <fmt/format.h>

#include "commands.hpp"
#include "evaluation/manifest.hpp"
#include "evaluation/model_evaluation.hpp"

namespace ferlab::cli {
namespace {

// The command line as a person would retype it, for the manifest.
std::string command_line(const evaluation::EvaluationRequest& r) {
  std::string out = "ferlab evaluate";
  for (const std::string& m : r.models) out += " --model " + m;
  if (!r.data.empty()) out += " --data " + r.data;
  return out;
}

}  // namespace

void add_evaluate_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Measure trained models (shipped, runs or checkpoint files) on their dataset's splits and "
      "record it as a run; two or more models are evaluated as an ensemble");
  struct Options {
    evaluation::EvaluationRequest request;
    std::vector<std::string> tta = options::names_of<options::Tta>();
    std::string manifest;
  };
  auto o = std::make_shared<Options>();
  evaluation::EvaluationRequest& r = o->request;
  cmd->add_option("--model", r.models,
                  "Shipped model name, run id of --db or checkpoint file; repeat for an ensemble")
      ->type_name("NAME|RUN_ID|CHECKPOINT")
      ->required();
  cmd->add_option("--db", r.db, "Run database: run ids are read from it, the result recorded in it")
      ->capture_default_str();
  cmd->add_option("--data", r.data,
                  "The dataset's location (its 'path' or 'root') instead of the one it was "
                  "trained from, e.g. build/data/fer2013")
      ->type_name("PATH");
  cmd->add_option("--splits", r.splits, "Splits to evaluate on")->capture_default_str();
  cmd->add_option("--tta", o->tta, "Test-time augmentation modes")
      ->check_one_of(options::names_of<options::Tta>())
      ->capture_default_str();
  cmd->add_option("--experiment", r.experiment, "Experiment name of the recorded run")
      ->capture_default_str();
  cmd->add_option("--threads", r.threads, "Threads (0: all cores)")
      ->check(Check::non_negative_number);
  cmd->add_option("--manifest", o->manifest,
                  "Write a shipped model's or ensemble's manifest with the accuracies measured")
      ->type_name("FILE");
  cmd->callback([&global, o] {
    kernel::PluginCatalog catalog;
    if (!load_catalog(global, catalog)) throw ExitCode(exit_failure);
    o->request.tta.clear();
    for (const std::string& mode : o->tta)
      o->request.tta.push_back(*options::parse<options::Tta>(mode));
    const evaluation::EvaluationResult result = evaluation::evaluate_models(catalog, o->request);
    fmt::print("run {}: {} evaluated ({} in {})\n", result.run, result.models.label(),
               o->request.experiment, o->request.db);
    if (!o->manifest.empty()) {
      evaluation::write_manifest(o->manifest, result, command_line(o->request));
      fmt::print("wrote {}\n", o->manifest);
    }
  });
}

}  // namespace ferlab::cli
