// `ferlab run SPEC`: execute an experiment and record it.
#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "commands.hpp"
#include "run/runner.hpp"
#include "runs_table.hpp"

namespace ferlab::cli {
namespace {

void parse_shard(const std::string& text, run::RunOptions& options) {
  static const std::regex shard(R"((\d+)/(\d+))");
  std::smatch m;
  if (!std::regex_match(text, m, shard) || std::stoi(m[2]) < 1 ||
      std::stoi(m[1]) >= std::stoi(m[2]))
    throw UsageError("--shard", "expected I/N with 0 <= I < N, e.g. 0/4, got " + text);
  options.shard_index = std::stoi(m[1]);
  options.shard_count = std::stoi(m[2]);
}

}  // namespace

void add_run_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand("run", "Run an experiment and record it in the run database");
  struct Options {
    std::string file, shard;
    std::vector<std::string> overrides;
    run::RunOptions run;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML)")->required();
  cmd->add_option("--db", o->run.db, "Run database (SQLite)")->capture_default_str();
  cmd->add_option("--set", o->overrides, "Override a key: --set train.epochs=5")
      ->type_name("KEY=VALUE");
  cmd->add_option("--shard", o->shard, "Run only every N-th run starting at I (0-based)")
      ->type_name("I/N");
  cmd->add_option("--peer", o->run.peer_dbs,
                  "A halving search over shards: another shard's database (repeat for each; "
                  "this one may be named too)")
      ->type_name("DB");
  cmd->add_option("--threads", o->run.threads, "Threads (0 = one per core)")->capture_default_str();
  cmd->add_option("--cache", o->run.cache,
                  "Cache of decoded and preprocessed images: a folder, or 'off' (default: "
                  "$FERLAB_CACHE, else ferlab-cache/ beside the database)")
      ->type_name("DIR");
  cmd->add_flag(
      "--resume", o->run.resume,
      "Continue the spec's unfinished runs from their last checkpoint (a larger train.epochs "
      "extends them, unless the schedule is cosine); skip finished ones");
  cmd->callback([&global, o] {
    if (!o->shard.empty()) parse_shard(o->shard, o->run);
    o->run.processes = global.processes;
    o->run.process_hosts = global.process_hosts;
    kernel::PluginCatalog catalog;
    spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    std::ifstream in(o->file);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<run::RunSummary> runs = run::execute(loaded, text.str(), catalog, o->run);
    if (global.processes && global.processes->rank() > 0) return;  // rank 0 reports
    // The table comes from the database: what is printed is what was recorded.
    storage::Database db(o->run.db, false);
    std::vector<storage::RunRow> recorded;
    for (const storage::RunRow& row : storage::list_runs(db, std::nullopt))
      for (const run::RunSummary& r : runs)
        if (r.id == row.id) recorded.push_back(row);
    print_runs_table(recorded);
    fmt::print("results recorded in {}\n", o->run.db);
    for (const auto& r : runs)
      if (r.status != storage::RunStatus::finished && !r.not_promoted && !r.waiting)
        throw ExitCode(exit_failure);
  });
}

}  // namespace ferlab::cli
