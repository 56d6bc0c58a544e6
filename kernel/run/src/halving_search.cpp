#include "halving_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "options/names.hpp"
#include "run/interrupt.hpp"
#include "run/trial_ranking.hpp"
#include "search/halving.hpp"
#include "search/ranking.hpp"
#include "storage/run_store.hpp"
#include "storage/shard_snapshot.hpp"

namespace ferlab::run {
namespace {

bool same_file(const std::string& a, const std::string& b) {
  return std::filesystem::weakly_canonical(a) == std::filesystem::weakly_canonical(b);
}

// Whether a trial's run has trained a rung's epochs (or finished, early stopping it).
bool reached(const storage::TrialRun& t, int epochs) {
  return t.status == storage::RunStatus::finished ||
         (!t.val.empty() && t.val.back().epoch >= epochs);
}

// This database's trial runs; none before it exists.
std::vector<storage::TrialRun> own_trial_runs(const std::string& experiment,
                                              const RunOptions& options) {
  if (!std::filesystem::exists(options.db)) return {};
  storage::Database db(options.db, false);
  return storage::trial_runs(db, experiment);
}

// Every shard's runs of the search's trials: this database's (`db`), and those of each other
// shard's published snapshot. A run of another shard keeps id 0 here: its own shard records it.
std::vector<storage::TrialRun> all_trial_runs(storage::Database& db, const std::string& experiment,
                                              const RunOptions& options) {
  std::vector<storage::TrialRun> runs = storage::trial_runs(db, experiment);
  for (const std::string& peer : options.peer_dbs) {
    if (same_file(peer, options.db)) continue;
    for (storage::TrialRun r : storage::published_trial_runs(peer, experiment)) {
      r.run = 0;
      runs.push_back(std::move(r));
    }
  }
  return runs;
}

// The trials among `trials` with a run (trial and seed) that has neither reached `epochs` nor
// ended (finished early or failed): the rung is decided only when there is none.
std::set<int> unfinished_trials(const spec::LoadedSpec& spec, const std::set<int>& trials,
                                const std::vector<storage::TrialRun>& runs, int epochs) {
  std::set<int> out;
  for (const spec::RunSpec& r : spec.runs) {
    if (!trials.count(r.trial)) continue;
    const auto found = std::find_if(runs.begin(), runs.end(), [&](const storage::TrialRun& t) {
      return t.trial == r.trial && t.seed == r.seed;
    });
    if (found == runs.end() ||
        !(reached(*found, epochs) || found->status == storage::RunStatus::failed))
      out.insert(r.trial);
  }
  return out;
}

// Records why a trial's runs in this database stop here (unless a resumed search recorded it
// before: `recorded`); paused ones stay interrupted (resumable by hand), one that early
// stopping finished stays finished. Returns the runs it recorded.
std::vector<std::int64_t> record_stopped(storage::RunStore& store, const RankedTrial& t,
                                         const std::set<std::int64_t>& recorded, std::size_t rank,
                                         std::size_t of, std::size_t rung, int epochs,
                                         const std::string& metric) {
  const std::string why = fmt::format("{} after rung {} ({} epoch{}): rank {} of {} on {} ({:.4f})",
                                      search::not_promoted_reason, rung + 1, epochs,
                                      epochs == 1 ? "" : "s", rank + 1, of, metric, t.score);
  std::vector<std::int64_t> own;
  std::copy_if(t.runs.begin(), t.runs.end(), std::back_inserter(own),
               [&](std::int64_t id) { return id != 0 && !recorded.count(id); });
  for (std::int64_t id : own) store.record_event(id, "search", why, 1);
  if (!t.finished)
    for (std::int64_t id : own) store.finish_run(id, storage::RunStatus::interrupted, why);
  return own;
}

std::string trial_list(const std::set<int>& trials) {
  std::string out;
  for (int t : trials) out += (out.empty() ? "" : ", ") + std::to_string(t);
  return out;
}

void check_shards(const RunOptions& options) {
  if (options.shard_count > 1 && options.peer_dbs.empty())
    throw std::runtime_error(
        "a halving search over shards ranks each rung on every shard's trials: name the other "
        "shards' databases with --peer DB (`ferlab slurm` does)");
  if (options.shard_count == 1 && !options.peer_dbs.empty())
    throw std::runtime_error(
        "--peer: only a halving search split over shards (--shard I/N) "
        "reads other shards' databases");
}

}  // namespace

std::vector<RunSummary> execute_halving(const spec::LoadedSpec& spec, const RunOptions& options,
                                        const RunSpecs& execute_runs) {
  check_shards(options);
  const spec::SearchPlan& plan = *spec.search;
  const bool sharded = options.shard_count > 1;
  const std::string& experiment = spec.runs.front().experiment;
  const int epochs = spec.runs.front().train.epochs;
  const std::vector<search::Rung> rungs =
      search::halving_rungs(static_cast<int>(plan.trials), plan.eta, plan.min_epochs, epochs);
  const std::string metric = options::name_of(spec.runs.front().train.select_on);
  std::set<int> active;
  for (const spec::RunSpec& r : spec.runs) active.insert(r.trial);
  std::map<std::int64_t, RunSummary> last_summary;  // by run id: each run's latest state
  for (std::size_t k = 0; k < rungs.size(); ++k) {
    const bool last = k + 1 == rungs.size();
    spec::LoadedSpec rung = spec;
    rung.search.reset();
    // Runs that reached this rung before (a resumed search) are left as they are recorded.
    const std::vector<storage::TrialRun> recorded = own_trial_runs(experiment, options);
    std::erase_if(rung.runs, [&](const spec::RunSpec& r) {
      return !active.count(r.trial) ||
             std::any_of(recorded.begin(), recorded.end(), [&](const storage::TrialRun& t) {
               return t.trial == r.trial && t.seed == r.seed && reached(t, rungs[k].epochs);
             });
    });
    RunOptions o = options;
    o.resume = options.resume || k > 0;  // later rungs continue the trials' checkpoints
    o.pause_after_epochs = last ? 0 : rungs[k].epochs;
    o.peer_dbs.clear();  // the rung trains this shard's runs only
    fmt::print(
        stderr, "search: rung {}/{}: {} trial{} to {} epoch{}{}\n", k + 1, rungs.size(),
        active.size(), active.size() == 1 ? "" : "s", rungs[k].epochs,
        rungs[k].epochs == 1 ? "" : "s",
        sharded ? fmt::format(" (this shard: {} of {})", options.shard_index, options.shard_count)
                : "");
    if (!rung.runs.empty())
      for (const RunSummary& s : execute_runs(rung, o)) last_summary[s.id] = s;
    storage::RunStore store(options.db);  // created when this shard holds no trial
    if (sharded) storage::publish_snapshot(store.database());
    if (last || interrupt_requested()) break;
    std::vector<storage::TrialRun> runs = all_trial_runs(store.database(), experiment, options);
    if (const std::set<int> waiting = unfinished_trials(spec, active, runs, rungs[k].epochs);
        !waiting.empty()) {
      fmt::print(stderr,
                 "search: rung {}/{} is not decided yet: trial{} {} of other shards ha{} not "
                 "trained {} epoch{}; run this again (--resume) once they have\n",
                 k + 1, rungs.size(), waiting.size() == 1 ? "" : "s", trial_list(waiting),
                 waiting.size() == 1 ? "s" : "ve", rungs[k].epochs,
                 rungs[k].epochs == 1 ? "" : "s");
      for (auto& [id, s] : last_summary)
        s.waiting = s.status == storage::RunStatus::interrupted && !s.not_promoted;
      break;
    }
    std::erase_if(runs, [&](const storage::TrialRun& r) { return !active.count(r.trial); });
    const std::vector<RankedTrial> ranked =
        rank_trials(runs, spec.runs.front().train.select_on, rungs[k].epochs);
    active.clear();
    std::set<std::int64_t> stopped;  // this database's runs stopped by an earlier process
    for (const storage::TrialRun& r : runs)
      if (r.run != 0 && r.error.starts_with(search::not_promoted_reason)) stopped.insert(r.run);
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      if (i < static_cast<std::size_t>(rungs[k + 1].trials)) {
        active.insert(ranked[i].trial);
        continue;
      }
      for (std::int64_t id : record_stopped(store, ranked[i], stopped, i, ranked.size(), k,
                                            rungs[k].epochs, metric)) {
        last_summary[id].id = id;
        last_summary[id].not_promoted = true;
      }
    }
  }
  std::vector<RunSummary> out;
  for (const auto& [id, s] : last_summary) out.push_back(s);
  return out;
}

}  // namespace ferlab::run
