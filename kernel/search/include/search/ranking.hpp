// Trials compared on a validation metric at an epoch budget: each run's best value within its
// first epochs (the epoch the trainer's selection would have kept, had it stopped there),
// averaged over the trial's runs (its seeds).
#pragma once

#include <vector>

namespace ferlab::search {

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
