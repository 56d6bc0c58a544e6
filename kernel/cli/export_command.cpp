// `ferlab export`: the final metrics of recorded runs as CSV (--csv), or a trained model as an
// ONNX graph for other runtimes (--model ... --onnx FILE) or as a compact ferlab model for
// shipping (--model ... --compact FILE: f16 weights, no training state).
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine/checkpoint.hpp"
#include "export_onnx/onnx_writer.hpp"
#include "models/manifest.hpp"
#include "predict/model_bundle.hpp"
#include "run/run_checkpoints.hpp"
#include "storage/run_queries.hpp"

namespace ferlab::cli {
namespace {

struct ExportOptions {
  std::string db = "ferlab.db", experiment, out, model, onnx, compact, trained_with, notes;
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

// The ONNX model carries what a deployment needs beside the graph: class names, how to make
// the input, and the spec it was trained with.
void export_onnx_model(const GlobalOptions& global, const ExportOptions& o) {
  kernel::PluginCatalog catalog;
  if (!load_catalog(global, catalog)) throw CLI::RuntimeError(exit_failure);
  predict::ModelBundle model = predict::load_model(catalog, o.model, o.db);
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
      options.metadata[run::fitted_state_key(i)] = model.preprocess[i].fitted_state;
  options.metadata["checkpoint"] = model.file.filename().string();
  export_onnx::write_onnx(o.onnx, *model.network, catalog, options);
  fmt::print(
      "wrote {} (opset {}; input \"input\", outputs \"logits\", \"probabilities\" over {} "
      "classes)\n",
      o.onnx, export_onnx::onnx_opset, model.classes.size());
}

// The model's weights in f16 where they are large, with everything prediction needs and how it
// was trained; the training state (optimizer moments, best weights) is left out.
void export_compact_model(const GlobalOptions& global, const ExportOptions& o) {
  kernel::PluginCatalog catalog;
  if (!load_catalog(global, catalog)) throw CLI::RuntimeError(exit_failure);
  predict::ModelBundle model = predict::load_model(catalog, o.model, o.db);
  engine::CheckpointInfo info = engine::read_checkpoint_info(model.file);
  info.state.clear();
  if (!o.trained_with.empty()) info.metadata[models::trained_with_key] = o.trained_with;
  if (!o.notes.empty()) info.metadata[models::notes_key] = o.notes;
  engine::save_checkpoint(o.compact, *model.network, info, engine::TensorStorage::compact);
  fmt::print("wrote {} ({} bytes; {} was {} bytes)\n", o.compact,
             std::filesystem::file_size(o.compact), model.file.string(),
             std::filesystem::file_size(model.file));
}

}  // namespace

void add_export_command(CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "export", "Export the final metrics of recorded runs (--csv) or a model as ONNX (--onnx)");
  auto o = std::make_shared<ExportOptions>();
  auto* csv =
      cmd->add_flag("--csv", o->csv, "CSV, one row per run, split, tta, checkpoint and metric");
  cmd->add_option("--db", o->db, "Run database (SQLite)")->capture_default_str();
  cmd->add_option("--experiment", o->experiment, "Only this experiment (--csv)");
  cmd->add_option("--out", o->out, "Write the CSV to this file instead of standard output");
  auto* model = cmd->add_option("--model", o->model,
                                "Run id (its best checkpoint) or checkpoint file to export")
                    ->type_name("RUN_ID|CHECKPOINT");
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
    if (!o->csv && (o->model.empty() || (o->onnx.empty() && o->compact.empty())))
      throw CLI::ValidationError("export needs --csv, or --model with --onnx or --compact");
    if (o->csv)
      export_metrics(*o);
    else if (!o->onnx.empty())
      export_onnx_model(global, *o);
    else
      export_compact_model(global, *o);
  });
}

}  // namespace ferlab::cli
