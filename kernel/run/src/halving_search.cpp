#include "halving_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "options/names.hpp"
#include "run/interrupt.hpp"
#include "run/trial_ranking.hpp"
#include "search/halving.hpp"
#include "search/ranking.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {
namespace {

// The rung's trials ranked on their figure at its epochs, read back from the store (so that a
// resumed search decides as an uninterrupted one did).
std::vector<RankedTrial> rung_ranking(const spec::LoadedSpec& spec, const RunOptions& options,
                                      const std::set<int>& trials, int epochs) {
  storage::Database db(options.db, false);
  std::vector<storage::TrialRun> runs = storage::trial_runs(db, spec.runs.front().experiment);
  std::erase_if(runs, [&](const storage::TrialRun& r) { return !trials.count(r.trial); });
  return rank_trials(runs, spec.runs.front().train.select_on, epochs);
}

// Records why a trial's runs stop here; paused ones stay interrupted (resumable by hand), one
// that early stopping finished stays finished.
std::vector<std::int64_t> record_stopped(storage::RunStore& store, const RankedTrial& t,
                                         std::size_t rank, std::size_t of, std::size_t rung,
                                         int epochs, const std::string& metric) {
  const std::string why = fmt::format("{} after rung {} ({} epoch{}): rank {} of {} on {} ({:.4f})",
                                      search::not_promoted_reason, rung + 1, epochs,
                                      epochs == 1 ? "" : "s", rank + 1, of, metric, t.score);
  for (std::int64_t id : t.runs) store.record_event(id, "search", why, 1);
  if (!t.finished)
    for (std::int64_t id : t.runs) store.finish_run(id, storage::RunStatus::interrupted, why);
  return t.runs;
}

}  // namespace

std::vector<RunSummary> execute_halving(const spec::LoadedSpec& spec, const RunOptions& options,
                                        const RunSpecs& execute_runs) {
  const spec::SearchPlan& plan = *spec.search;
  if (options.shard_count > 1)
    throw std::runtime_error(
        "a halving search runs in one process: its rungs need every trial's figures (use "
        "method: random to split trials over shards)");
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
    std::erase_if(rung.runs, [&](const spec::RunSpec& r) { return !active.count(r.trial); });
    RunOptions o = options;
    o.resume = options.resume || k > 0;  // later rungs continue the trials' checkpoints
    o.pause_after_epochs = last ? 0 : rungs[k].epochs;
    fmt::print(stderr, "search: rung {}/{}: {} trial{} to {} epoch{}\n", k + 1, rungs.size(),
               active.size(), active.size() == 1 ? "" : "s", rungs[k].epochs,
               rungs[k].epochs == 1 ? "" : "s");
    for (const RunSummary& s : execute_runs(rung, o)) last_summary[s.id] = s;
    if (last || interrupt_requested()) break;
    const std::vector<RankedTrial> ranked = rung_ranking(spec, options, active, rungs[k].epochs);
    active.clear();
    storage::RunStore store(options.db);
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      if (i < static_cast<std::size_t>(rungs[k + 1].trials))
        active.insert(ranked[i].trial);
      else
        for (std::int64_t id :
             record_stopped(store, ranked[i], i, ranked.size(), k, rungs[k].epochs, metric))
          last_summary[id].not_promoted = true;
    }
  }
  std::vector<RunSummary> out;
  for (const auto& [id, s] : last_summary) out.push_back(s);
  return out;
}

}  // namespace ferlab::run
