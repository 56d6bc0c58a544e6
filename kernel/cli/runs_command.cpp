// `ferlab runs` and `ferlab show RUN`: what the run database holds.
#include <fmt/format.h>

#include "commands.hpp"
#include "runs_table.hpp"
#include "storage/stale_runs.hpp"

namespace ferlab::cli {
namespace {

// Opens the database for reading, first marking runs whose process died as interrupted. A
// database this user cannot write is still listed, as it is.
std::unique_ptr<storage::Database> open_noticing_stale_runs(const std::string& path) {
  auto db = std::make_unique<storage::Database>(path, false);
  try {
    storage::mark_stale_runs(*db, storage::host_name(), storage::stale_after,
                             storage::process_alive);
  } catch (const storage::StorageError&) {
  }
  return db;
}

}  // namespace

void add_runs_command(Command& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand("runs", "List the recorded runs");
  struct Options {
    std::string db = "ferlab.db", experiment, tta, checkpoint = "best";
    bool markdown = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "Run database (SQLite)")->capture_default_str();
  cmd->add_option("--experiment", o->experiment, "Only this experiment");
  cmd->add_option("--tta", o->tta,
                  "Test columns of this test-time augmentation only (none, ten-crop, ...); "
                  "default: one column per mode the runs were tested with");
  cmd->add_option("--checkpoint", o->checkpoint, "Test figures of this checkpoint")
      ->check_one_of({"best", "last"})
      ->capture_default_str();
  cmd->add_flag("--markdown", o->markdown,
                "GitHub Markdown tables (e.g. README results), the variant table always");
  cmd->callback([o] {
    auto db = open_noticing_stale_runs(o->db);
    std::optional<std::string> experiment, tta;
    if (!o->experiment.empty()) experiment = o->experiment;
    if (!o->tta.empty()) tta = o->tta;
    const auto runs = storage::list_runs(*db, experiment);
    const TestColumns test = test_columns(runs, o->checkpoint, tta);
    const TableFormat format = o->markdown ? TableFormat::markdown : TableFormat::plain;
    fmt::print("{}", render(runs_table(runs, test), format));
    // On a terminal only where it says more than the run rows: several runs of one variant.
    if (o->markdown || some_variant_repeated(runs))
      fmt::print("\n{}\n\n{}", variants_heading(test),
                 render(variants_table(*db, experiment, test), format));
  });
}

void add_show_command(Command& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand("show", "Show one run: environment, parameters, metrics, events");
  struct Options {
    std::string db = "ferlab.db";
    std::int64_t run = 0;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("run", o->run, "Run id (see ferlab runs)")->required();
  cmd->add_option("--db", o->db, "Run database (SQLite)")->capture_default_str();
  cmd->callback([o] {
    auto db = open_noticing_stale_runs(o->db);
    storage::RunDetails d = storage::run_details(*db, o->run);
    print_runs_table({d.row});  // with a fold column when the run has one
    fmt::print("\nenvironment\n");
    for (const auto& [name, value] : d.fields) fmt::print("  {:<14} {}\n", name, value);
    fmt::print("\nfinal metrics (split/tta/checkpoint)\n");
    for (const auto& [name, value] : d.metrics) fmt::print("  {:<32} {:.4f}\n", name, value);
    fmt::print("\nparameters (resolved spec)\n");
    for (const auto& [key, value] : d.params) fmt::print("  {} = {}\n", key, value);
    if (!d.events.empty()) fmt::print("\nevents\n");
    for (const auto& [what, count] : d.events) fmt::print("  {} x {}\n", count, what);
  });
}

}  // namespace ferlab::cli
