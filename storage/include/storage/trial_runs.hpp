// A search's trials as the run store holds them: each run of a trial (one per seed) with its
// validation curve, for ranking trials (ferlab search) and promoting them (halving). Reads the
// val rows of the epochs table only: a search never looks at the test split.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/run_status.hpp"
#include "storage/sqlite.hpp"

namespace ferlab::storage {

struct ValEpoch {
  int epoch = 0;
  double loss = 0, accuracy = 0, macro_f1 = 0;
};

struct TrialRun {
  std::int64_t run = 0;
  int trial = 0;  // the run's param search.trial
  std::int64_t seed = 0;
  RunStatus status = RunStatus::running;
  std::string error;          // why it stopped, when it did not finish
  std::string select_on;      // its param train.select_on ("val.accuracy")
  std::string resolved_spec;  // the spec that reproduces it
  std::vector<ValEpoch> val;  // in epoch order
};

// The runs of `experiment` that belong to a search trial, by trial then seed: the newest run of
// each trial and seed (a search run again without --resume supersedes the earlier one).
std::vector<TrialRun> trial_runs(Database& db, const std::string& experiment);

// The experiment of the newest run that belongs to a search trial; nullopt when none does.
std::optional<std::string> latest_search_experiment(Database& db);

}  // namespace ferlab::storage
