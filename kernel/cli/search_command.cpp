// `ferlab search`: a search's trials ranked on the validation metric they select on, with the
// values drawn for each, and the best one written as a spec `ferlab run` takes unchanged.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <map>

#include "commands.hpp"
#include "options/names.hpp"
#include "run/trial_ranking.hpp"
#include "search/ranking.hpp"
#include "storage/run_queries.hpp"
#include "text_table.hpp"

namespace ferlab::cli {
namespace {

using Params = std::map<std::string, std::string>;

// "finished", or how far it went: "not promoted after 1 epoch", "interrupted after 2 epochs",
// "running after 3 epochs" (a search still at work).
std::string status_of(const run::RankedTrial& t, const storage::TrialRun& first) {
  if (t.finished) return "finished";
  const std::string why = first.status == storage::RunStatus::running            ? "running"
                          : first.status == storage::RunStatus::failed           ? "failed"
                          : first.error.starts_with(search::not_promoted_reason) ? "not promoted"
                          : first.error.starts_with(search::paused_reason)       ? "paused"
                                                                                 : "interrupted";
  return fmt::format("{} after {} epoch{}", why, t.epochs, t.epochs == 1 ? "" : "s");
}

// The best trial's spec: its first run's resolved spec, with every seed the trial ran.
void write_best_spec(const std::string& path, const storage::TrialRun& first,
                     const std::vector<std::int64_t>& seeds, const std::string& note) {
  YAML::Node spec = YAML::Load(first.resolved_spec);
  spec["seeds"] = seeds;
  spec["seeds"].SetStyle(YAML::EmitterStyle::Flow);
  std::ofstream out(path);
  out << "# " << note << "\n" << YAML::Dump(spec) << "\n";
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

}  // namespace

void add_search_command(Command& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand(
      "search", "Rank a search's trials on their validation metric (the test split is not read)");
  struct Options {
    std::string db = "ferlab.db", experiment, best_spec;
    bool markdown = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "Run database (SQLite)")->capture_default_str();
  cmd->add_option("--experiment", o->experiment,
                  "The search's experiment; default: that of the newest trial");
  cmd->add_option("--best-spec", o->best_spec, "Write the best trial as a spec to this file")
      ->type_name("FILE");
  cmd->add_flag("--markdown", o->markdown, "A GitHub Markdown table");
  cmd->callback([o] {
    storage::Database db(o->db, false);
    if (o->experiment.empty()) {
      auto latest = storage::latest_search_experiment(db);
      if (!latest) throw std::runtime_error(o->db + ": holds no search trial");
      o->experiment = *latest;
    }
    const auto runs = storage::trial_runs(db, o->experiment);
    if (runs.empty())
      throw std::runtime_error(o->db + ": experiment '" + o->experiment + "' has no search trial");
    const auto select_on = options::parse<options::SelectOn>(runs.front().select_on)
                               .value_or(options::SelectOn::val_accuracy);
    const std::vector<run::RankedTrial> ranked = run::rank_trials(runs, select_on, 0);
    std::map<int, Params> params;
    std::map<int, const storage::TrialRun*> first_run;
    std::map<int, std::vector<std::int64_t>> seeds;
    for (const storage::TrialRun& r : runs) {
      if (!first_run.count(r.trial)) {
        first_run[r.trial] = &r;
        for (const auto& [key, value] : storage::run_details(db, r.run).params)
          params[r.trial][key] = value;
      }
      seeds[r.trial].push_back(r.seed);
    }
    std::vector<Params> per_trial;
    for (const auto& [trial, p] : params) per_trial.push_back(p);
    const std::vector<std::string> keys = search::varying_keys(per_trial);
    const std::string metric = options::name_of(select_on);
    TextTable table;
    table.columns = {
        {"rank", true}, {"trial", true}, {metric, true}, {"runs", true}, {"status", false}};
    for (const std::string& key : keys) table.columns.push_back({key, false});
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      const run::RankedTrial& t = ranked[i];
      TextTable::Row row;
      row.cells = {std::to_string(i + 1), std::to_string(t.trial),
                   std::isnan(t.score) ? "-" : fmt::format("{:.4f}", t.score),
                   std::to_string(t.runs.size()), status_of(t, *first_run.at(t.trial))};
      for (const std::string& key : keys) {
        auto v = params[t.trial].find(key);
        row.cells.push_back(v == params[t.trial].end() ? "" : v->second);
      }
      table.rows.push_back(std::move(row));
    }
    fmt::print("{}\n", render(table, o->markdown ? TableFormat::markdown : TableFormat::plain));
    const run::RankedTrial& best = ranked.front();
    fmt::print("best: trial {} ({} {:.4f}, mean of {} run{}; chosen on val, test not read)\n",
               best.trial, metric, best.score, best.runs.size(), best.runs.size() == 1 ? "" : "s");
    // The winner's test figure is reported, once chosen; the other trials' are never shown.
    double test = 0;
    bool tested = true;
    for (std::int64_t id : best.runs) {
      const auto row = storage::run_details(db, id).row;
      tested = tested && row.test_accuracy.has_value();
      test += row.test_accuracy.value_or(0);
    }
    if (tested)
      fmt::print("its test accuracy (best checkpoint, no TTA): {:.4f}\n",
                 test / static_cast<double>(best.runs.size()));
    if (!o->best_spec.empty()) {
      write_best_spec(o->best_spec, *first_run.at(best.trial), seeds.at(best.trial),
                      fmt::format("trial {} of the search '{}' in {}: {} {:.4f}", best.trial,
                                  o->experiment, o->db, metric, best.score));
      fmt::print("wrote {}\n", o->best_spec);
    }
  });
}

}  // namespace ferlab::cli
