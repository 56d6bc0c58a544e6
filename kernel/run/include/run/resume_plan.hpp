// --resume: which recorded run each run of the spec continues, and whether it may.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "spec/run_spec.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {

// Whether a run recorded with the resolved spec `recorded` can continue under `now`: the specs
// are the same, or differ only in the description and in a larger train.epochs under a
// schedule that does not depend on the number of epochs (a plateau run interrupted at epoch 90
// of 100 then goes on to 200 exactly as a run of 200 epochs would have).
struct ResumeCheck {
  std::string refusal;  // why it cannot, "" when it can
  std::string change;   // "train.epochs 100 -> 200", or "" when the spec is the same
};
ResumeCheck check_resumable(const std::string& recorded, const std::string& now);

struct Reopened {
  std::int64_t run = 0;  // the recorded run continued
  std::string change;    // ResumeCheck::change
};

// Drops from `runs` those that finished (or that a live process is running) and says, by run
// index, which recorded run each unfinished one continues. Runs never recorded start afresh.
// Throws when a recorded run cannot continue under this spec (check_resumable).
std::map<int, Reopened> plan_resume(storage::RunStore& store, std::vector<spec::RunSpec>& runs);

}  // namespace ferlab::run
