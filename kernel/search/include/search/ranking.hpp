// Trials compared on a validation metric at an epoch budget: each run's best value within its
// first epochs (the epoch the trainer's selection would have kept, had it stopped there),
// averaged over the trial's runs (its seeds).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ferlab::search {

// How a run's error starts when a halving search stopped it after a rung (and when a rung
// paused it, waiting for the decision): `ferlab search` and the report tell these apart.
inline constexpr std::string_view not_promoted_reason = "search: not promoted";
inline constexpr std::string_view paused_reason = "search: paused";

// The keys whose values differ between the trials' recorded parameters (one map per trial):
// what the search drew. search.trial and seeds aside.
std::vector<std::string> varying_keys(
    const std::vector<std::map<std::string, std::string>>& trials);

enum class Goal { maximize, minimize };

// The best of the first `epochs` values of a curve (value i is epoch i + 1; every value when
// epochs <= 0), NaNs skipped; NaN when none is left.
double best_within(const std::vector<double>& curve, int epochs, Goal goal);

// The mean of the runs' best_within; NaN when a run has no value.
double trial_score(const std::vector<std::vector<double>>& runs, int epochs, Goal goal);

// Orders scores best first for `goal`; NaN last. For promoted() (halving.hpp), which keeps the
// highest: the score itself when maximizing, its negation when minimizing, NaN as -infinity.
double as_higher_is_better(double score, Goal goal);

}  // namespace ferlab::search
