// ferlab: run and compare facial emotion recognition experiments.
#include <fmt/format.h>

#include <csignal>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "mpi/mpi_collective.hpp"

int main(int argc, char** argv) {
  // A file grown past `ulimit -f` would kill the process with SIGXFSZ, mid-write and without a
  // word; ignored, the write fails with EFBIG like a full disk, and the error says which file.
  std::signal(SIGXFSZ, SIG_IGN);
  ferlab::cli::CommandLine command_line(
      "ferlab: run and compare facial emotion recognition experiments",
      std::string("ferlab ") + FERLAB_VERSION);
  ferlab::cli::Command& app = command_line.root();
  app.require_subcommand(1);
  ferlab::cli::GlobalOptions global;
  // Under mpirun every process runs this program; `ferlab run` then trains data-parallel.
  std::unique_ptr<ferlab::mpi::MpiCollective> processes;
  if (ferlab::mpi::launched_by_mpi()) {
    processes = std::make_unique<ferlab::mpi::MpiCollective>(argc, argv);
    global.processes = processes.get();
    global.process_hosts = processes->hosts();
  }
  app.add_option("--plugin-path", global.plugin_dirs,
                 "Directory searched for plugins before FERLAB_PLUGIN_PATH and the default one")
      ->type_name("DIR");
  ferlab::cli::add_plugins_command(app, global);
  ferlab::cli::add_check_command(app, global);
  ferlab::cli::add_graph_command(app, global);
  ferlab::cli::add_run_command(app, global);
  ferlab::cli::add_model_command(app, global);
  ferlab::cli::add_runs_command(app, global);
  ferlab::cli::add_show_command(app, global);
  ferlab::cli::add_export_command(app, global);
  ferlab::cli::add_db_command(app, global);
  ferlab::cli::add_report_command(app, global);
  ferlab::cli::add_preview_command(app, global);
  ferlab::cli::add_predict_command(app, global);
  ferlab::cli::add_evaluate_command(app, global);
  ferlab::cli::add_models_command(app, global);
  ferlab::cli::add_slurm_command(app, global);
  ferlab::cli::add_search_command(app, global);
  ferlab::cli::add_lr_find_command(app, global);
  try {
    if (const std::optional<int> code = command_line.parse(argc, argv)) return *code;
    // What data-parallel training spent on summing gradients (bench/run_mpi_bench reads it).
    if (processes && processes->size() > 1 && processes->rank() == 0) {
      const auto& t = processes->gradient_traffic();
      if (t.steps > 0)
        fmt::print(stderr,
                   "allreduce: {} steps over {} processes, {:.0f} bytes per step in {:.1f} "
                   "buckets, {:.2f} ms per step in MPI calls\n",
                   t.steps, processes->size(), t.bytes / t.steps,
                   static_cast<double>(t.buckets) / t.steps, 1e3 * t.seconds / t.steps);
    }
  } catch (const std::exception& e) {
    // The other processes may be waiting for this one: end them all, with this message.
    if (processes && processes->size() > 1)
      processes->abort(std::string("error: ") + e.what(), ferlab::cli::exit_failure);
    fmt::print(stderr, "error: {}\n", e.what());
    return ferlab::cli::exit_failure;
  }
  return ferlab::cli::exit_ok;
}
