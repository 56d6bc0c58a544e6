// `ferlab export`: the final metrics of recorded runs as CSV (--csv), or a trained model as an
// ONNX graph for other runtimes (--model ... --onnx FILE) or as a compact ferlab model for
// shipping (--model ... --compact FILE: f16 weights, no training state).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "assembly/model_set.hpp"
#include "commands.hpp"
#include "engine/checkpoint.hpp"
#include "evaluation/manifest.hpp"
#include "export_onnx/onnx_writer.hpp"
#include "run/run_checkpoints.hpp"
#include "storage/run_queries.hpp"

namespace ferlab::cli {
namespace {

struct ExportOptions {
  std::string db = "ferlab.db", experiment, out, onnx, compact, trained_with, notes;
  std::vector<std::string> models;  // several = an ensemble (--onnx only)
  bool csv = false;
};

void export_metrics(const ExportOptions& o) {
  storage::Database db(o.db, false);
  std::optional<std::string> experiment;
  if (!o.experiment.empty()) experiment = o.experiment;
  std::string csv = storage::metrics_csv(db, experiment);
  if (o.out.empty()) {
    fmt::print("{}", csv);
    return;
  }
  std::ofstream file(o.out);
  file << csv;
  if (!file.flush()) throw std::runtime_error(o.out + ": cannot write the export");
}

// An ensemble is exported as one graph on one input, so its members must agree on what that
// input is: the same preprocessing steps, parameters and learned states.
void check_one_input(const assembly::ModelSet& models) {
  const assembly::ModelBundle& first = models.members().front();
  for (const assembly::ModelBundle& m : models.members()) {
    bool same = spec::same_calls(m.run.preprocess, first.run.preprocess);
    for (std::size_t i = 0; same && i < m.preprocess.size(); ++i)
      same = m.preprocess[i].fitted_state == first.preprocess[i].fitted_state;
    if (!same)
      throw std::runtime_error(fmt::format(
          "{} and {} prepare their input differently (preprocessing [{}] and [{}], or what it "
          "learned from the train split): an ONNX ensemble has one input, so its members "
          "need the same preprocessing",
          first.label, m.label, spec::plugin_names(first.run.preprocess),
          spec::plugin_names(m.run.preprocess)));
  }
}

// The ONNX model carries what a deployment needs beside the graph: class names, how to make
// the input, and the spec it was trained with (an ensemble: its first member's, and the list
// of members).
void export_onnx_model(const GlobalOptions& global, const ExportOptions& o) {
  kernel::PluginCatalog catalog;
  if (!load_catalog(global, catalog)) throw ExitCode(exit_failure);
  assembly::ModelSet models = assembly::load_models(catalog, o.models, o.db);
  check_one_input(models);
  const assembly::ModelBundle& model = models.members().front();
  export_onnx::OnnxOptions options;
  options.metadata["classes"] = nlohmann::json(model.classes).dump();
  options.metadata["input"] = fmt::format(
      "N x {} x {} x {} float: a face after the spec's preprocessing chain (what its steps "
      "learned from the train split: preprocess.N.state, N from 0), pixel / 255{}",
      model.shape.channels, model.shape.height, model.shape.width,
      model.shape.channels == 3 ? ", BGR" : "");
  options.metadata["spec"] = model.spec_text;
  for (std::size_t i = 0; i < model.preprocess.size(); ++i)
    if (!model.preprocess[i].fitted_state.empty())
      options.metadata[assembly::fitted_state_key(i)] = model.preprocess[i].fitted_state;
  std::vector<engine::Network*> networks;
  std::vector<std::string> files;
  for (assembly::ModelBundle& m : models.members()) {
    networks.push_back(m.network.get());
    files.push_back(m.file.filename().string());
  }
  options.metadata["checkpoint"] = fmt::format("{}", fmt::join(files, " + "));
  if (models.is_ensemble())
    options.metadata["ensemble"] =
        fmt::format("{}: the mean of its members' probabilities", models.label());
  export_onnx::write_onnx(o.onnx, networks, options);
  fmt::print(
      "wrote {} ({}opset {}; input \"input\", outputs \"logits\", \"probabilities\" over {} "
      "classes)\n",
      o.onnx, models.is_ensemble() ? models.label() + ", " : "", onnx_opset, model.classes.size());
}

// The model's weights in f16 where they are large, with everything prediction needs and how it
// was trained; the training state (optimizer moments, best weights) is left out.
void export_compact_model(const GlobalOptions& global, const ExportOptions& o) {
  kernel::PluginCatalog catalog;
  if (!load_catalog(global, catalog)) throw ExitCode(exit_failure);
  if (o.models.size() != 1)
    throw std::runtime_error("--compact writes one model: give one --model");
  assembly::ModelBundle model = assembly::load_model(catalog, o.models.front(), o.db);
  engine::CheckpointInfo info = engine::read_checkpoint_info(model.file);
  info.state.clear();
  if (!o.trained_with.empty()) info.metadata[evaluation::trained_with_key] = o.trained_with;
  if (!o.notes.empty()) info.metadata[evaluation::notes_key] = o.notes;
  engine::save_checkpoint(o.compact, *model.network, info, engine::TensorStorage::compact);
  fmt::print("wrote {} ({} bytes; {} was {} bytes)\n", o.compact,
             std::filesystem::file_size(o.compact), model.file.string(),
             std::filesystem::file_size(model.file));
}

}  // namespace

void add_export_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "export", "Export the final metrics of recorded runs (--csv) or a model as ONNX (--onnx)");
  auto o = std::make_shared<ExportOptions>();
  auto* csv =
      cmd->add_flag("--csv", o->csv, "CSV, one row per run, split, tta, checkpoint and metric");
  cmd->add_option("--db", o->db, "Run database (SQLite)")->capture_default_str();
  cmd->add_option("--experiment", o->experiment, "Only this experiment (--csv)");
  cmd->add_option("--out", o->out, "Write the CSV to this file instead of standard output");
  auto* model = cmd->add_option("--model", o->models,
                                "Run id (its best checkpoint), checkpoint file or shipped model "
                                "to export; repeated (--onnx): an ensemble, the mean of the "
                                "members' probabilities")
                    ->type_name("RUN_ID|CHECKPOINT|NAME");
  auto* onnx = cmd->add_option("--onnx", o->onnx, "Write the model as an ONNX graph to FILE")
                   ->type_name("FILE");
  auto* compact = cmd->add_option("--compact", o->compact,
                                  "Write the model as a compact ferlab file to ship: f16 "
                                  "weights, no training state")
                      ->type_name("FILE");
  cmd->add_option("--trained-with", o->trained_with,
                  "With --compact: the command that trained it, kept in the file")
      ->needs(compact);
  cmd->add_option("--notes", o->notes, "With --compact: a note kept in the file")->needs(compact);
  onnx->needs(model);
  compact->needs(model);
  onnx->excludes(compact);
  csv->excludes(model);
  cmd->callback([o, &global] {
    if (!o->csv && (o->models.empty() || (o->onnx.empty() && o->compact.empty())))
      throw UsageError("export needs --csv, or --model with --onnx or --compact");
    if (o->csv)
      export_metrics(*o);
    else if (!o->onnx.empty())
      export_onnx_model(global, *o);
    else
      export_compact_model(global, *o);
  });
}

}  // namespace ferlab::cli
