// Successive halving over a search's trials (spec::SearchPlan::Method::halving): every trial
// trains to the first rung's epochs and pauses (recorded interrupted, checkpointed); the best
// 1/eta on the validation metric continue from their checkpoints to the next rung, and so on
// to train.epochs. Each rung is a call of the runner on the trials it holds, resuming; the
// promotions are recomputed from the database, so an interrupted search resumes (--resume)
// where it stopped, without redrawing or retraining.
#pragma once

#include <functional>
#include <vector>

#include "run/runner.hpp"

namespace ferlab::run {

// `execute_runs` runs a spec's runs (the runner without the search): called once per rung.
using RunSpecs = std::function<std::vector<RunSummary>(const spec::LoadedSpec&, const RunOptions&)>;

std::vector<RunSummary> execute_halving(const spec::LoadedSpec& spec, const RunOptions& options,
                                        const RunSpecs& execute_runs);

}  // namespace ferlab::run
