// A run's best and last checkpoint files, next to the run database, each recorded in its
// artifacts: <db dir>/checkpoints/<db stem>-run-<id>-best.ferlab and ...-last.ferlab. The
// database's name is part of the file name: databases sharing a folder (seeds, shards) must not
// overwrite each other's checkpoints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/checkpoint.hpp"
#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "engine/training_state.hpp"
#include "spec/run_spec.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {

// Where run `run` of the database at `db_path` keeps its "best" or "last" checkpoint: the file
// the database records for it when that exists (older versions named it run-<id>-<which>),
// else the file named as above.
std::filesystem::path run_checkpoint_file(storage::Database& db, std::int64_t run,
                                          const std::string& which);

class RunCheckpoints {
 public:
  // The checkpoints carry what prediction needs besides the weights: the resolved spec (the
  // network and the preprocessing chain), what each preprocessing step learned in fit()
  // (`fitted_states`, in chain order), the class names and the network's input shape.
  RunCheckpoints(storage::RunStore& store, std::int64_t run, const std::string& db_path,
                 const spec::RunSpec& spec, const std::vector<std::string>& classes,
                 const InputShape& input, const std::vector<std::string>& fitted_states);

  // After every epoch: writes the best checkpoint when the epoch improved the selection metric
  // (chosen on val, never on test), then the last one with the training state that resuming
  // needs, and records both as artifacts. Best goes first: a resume from the last checkpoint
  // never finds a best file older than the best epoch that checkpoint knows.
  void after_epoch(engine::Network& network, const engine::EpochStats& stats,
                   const engine::TrainingState& state);

  // "best" or "last".
  std::filesystem::path file(const std::string& which) const;

 private:
  void write(engine::Network& network, const std::string& which, int epoch,
             const engine::TrainingState* state);

  storage::RunStore& store_;
  std::int64_t run_;
  std::filesystem::path db_dir_;
  std::map<std::string, std::filesystem::path> files_;  // "best", "last" -> file
  std::string select_on_;
  engine::CheckpointInfo info_;
};

}  // namespace ferlab::run
