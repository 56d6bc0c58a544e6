#include "run/trial_ranking.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "search/ranking.hpp"

namespace ferlab::run {
namespace {

double figure(const storage::ValEpoch& e, options::SelectOn on) {
  switch (on) {
    case options::SelectOn::val_loss:
      return e.loss;
    case options::SelectOn::val_macro_f1:
      return e.macro_f1;
    case options::SelectOn::val_accuracy:
      break;
  }
  return e.accuracy;
}

}  // namespace

std::vector<RankedTrial> rank_trials(const std::vector<storage::TrialRun>& runs,
                                     options::SelectOn select_on, int epochs) {
  const search::Goal goal =
      select_on == options::SelectOn::val_loss ? search::Goal::minimize : search::Goal::maximize;
  std::map<int, std::vector<const storage::TrialRun*>> by_trial;
  for (const storage::TrialRun& r : runs) by_trial[r.trial].push_back(&r);
  std::vector<RankedTrial> out;
  for (const auto& [trial, members] : by_trial) {
    RankedTrial t;
    t.trial = trial;
    std::vector<std::vector<double>> curves;
    for (const storage::TrialRun* r : members) {
      std::vector<double> curve;  // value i is epoch i + 1
      for (const storage::ValEpoch& e : r->val) {
        if (e.epoch < 1) continue;
        curve.resize(std::max<std::size_t>(curve.size(), e.epoch), std::nan(""));
        curve[e.epoch - 1] = figure(e, select_on);
      }
      t.epochs = std::max(t.epochs, static_cast<int>(curve.size()));
      t.runs.push_back(r->run);
      t.finished = t.finished && r->status == storage::RunStatus::finished;
      curves.push_back(std::move(curve));
    }
    t.score = search::trial_score(curves, epochs, goal);
    out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(), [goal](const RankedTrial& a, const RankedTrial& b) {
    return search::as_higher_is_better(a.score, goal) > search::as_higher_is_better(b.score, goal);
  });
  return out;
}

}  // namespace ferlab::run
