// Finding the earlier run of a spec's run and reopening it (`ferlab run SPEC --resume`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/run_store.hpp"
#include "storage/sqlite.hpp"

namespace ferlab::storage {

struct PreviousRun {
  std::int64_t id = 0;
  std::string status;  // running | finished | failed | interrupted
  std::string resolved_spec, host;
  std::int64_t pid = 0;
};

// The latest run of this experiment, variant and seed, if there is one.
std::optional<PreviousRun> latest_run(Database& db, const std::string& experiment,
                                      const std::string& variant, std::int64_t seed);

// Makes an unfinished run 'running' again for the process `now` describes (host, pid,
// threads), in one transaction: takes the spec and params of `now` (the same, or extending
// train.epochs: check_resumable in the runner); keeps classes, checkpoints and the epochs up to
// `kept_epochs` (those its last checkpoint holds); drops later epochs and everything evaluated
// at the end (metrics, confusion, predictions, events, images), which the resumed run records
// again. False, changing nothing, when the run is finished or running (another process working
// through the same spec took it since it was planned); throws StorageError when it is missing.
bool reopen_run(Database& db, std::int64_t run, int kept_epochs, const RunInfo& now);

}  // namespace ferlab::storage
