// Each CLI subcommand registers itself on the app; main() only wires them together.
#pragma once

#include "command_line.hpp"
#include "common.hpp"
#include "spec/spec_loader.hpp"

namespace ferlab::cli {

void add_plugins_command(Command& app, GlobalOptions& global);
void add_check_command(Command& app, GlobalOptions& global);
void add_graph_command(Command& app, GlobalOptions& global);
void add_run_command(Command& app, GlobalOptions& global);
void add_model_command(Command& app, GlobalOptions& global);
void add_runs_command(Command& app, GlobalOptions& global);
void add_show_command(Command& app, GlobalOptions& global);
void add_export_command(Command& app, GlobalOptions& global);
void add_db_command(Command& app, GlobalOptions& global);
void add_report_command(Command& app, GlobalOptions& global);
void add_preview_command(Command& app, GlobalOptions& global);
void add_predict_command(Command& app, GlobalOptions& global);
void add_evaluate_command(Command& app, GlobalOptions& global);
void add_models_command(Command& app, GlobalOptions& global);
void add_slurm_command(Command& app, GlobalOptions& global);
void add_search_command(Command& app, GlobalOptions& global);
void add_lr_find_command(Command& app, GlobalOptions& global);

// Loads the catalog and a spec, printing every problem; throws ExitCode with the
// exit code (1: plugin errors, 2: invalid spec) unless the spec is valid.
spec::LoadedSpec load_valid_spec(const GlobalOptions& global, const std::string& file,
                                 const std::vector<std::string>& overrides,
                                 kernel::PluginCatalog& catalog);

}  // namespace ferlab::cli
