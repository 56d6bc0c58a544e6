// Successive halving (Jamieson & Talwalkar 2016; synchronous ASHA, Li et al. 2020): every trial
// trains min_epochs; the best 1/eta by the validation metric continue to eta times the epochs,
// and so on up to max_epochs. Later rungs continue a trial from its checkpoint, so a trial's
// epochs are counted once.
#pragma once

#include <utility>
#include <vector>

namespace ferlab::search {

struct Rung {
  int epochs = 0;  // each trial of the rung has trained this many epochs at its end
  int trials = 0;  // how many trials reach it
};

// The rungs for `trials` trials: epochs min_epochs * eta^k capped at max_epochs (the last rung
// is max_epochs), trials ceil(trials / eta^k), at least 1. Throws std::invalid_argument for
// eta < 2, min_epochs < 1 or max_epochs < min_epochs.
std::vector<Rung> halving_rungs(int trials, int eta, int min_epochs, int max_epochs);

// Epochs trained in all, each trial counted once up to the last rung it reaches.
long total_epochs(const std::vector<Rung>& rungs);

// The `keep` best of a rung's (trial, score) pairs, higher scores first, ties to the lower
// trial index (a rule that cannot depend on finishing order); returns their trial indexes.
std::vector<int> promoted(std::vector<std::pair<int, double>> scores, int keep);

}  // namespace ferlab::search
