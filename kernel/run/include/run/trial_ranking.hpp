// A search's trials ranked on the validation metric the spec selects on (train.select_on), at
// an epoch budget: what halving promotes on, and what `ferlab search` prints.
#pragma once

#include <cstdint>
#include <vector>

#include "options/train_options.hpp"
#include "storage/trial_runs.hpp"

namespace ferlab::run {

struct RankedTrial {
  int trial = 0;
  double score = 0;  // search::trial_score: NaN when a run has no val figure
  int epochs = 0;    // the most epochs one of its runs has recorded
  std::vector<std::int64_t> runs;
  bool finished = true;  // every run finished
};

// The trials of `runs` (storage::trial_runs), best first; ties to the lower trial number.
// `epochs` <= 0: every recorded epoch counts.
std::vector<RankedTrial> rank_trials(const std::vector<storage::TrialRun>& runs,
                                     options::SelectOn select_on, int epochs);

}  // namespace ferlab::run
