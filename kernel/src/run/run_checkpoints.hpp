// A run's best and last checkpoint files, next to the run database, each recorded in its
// artifacts: <db dir>/checkpoints/run-<id>-best.ferlab and run-<id>-last.ferlab.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/checkpoint.hpp"
#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "spec/run_spec.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {

class RunCheckpoints {
 public:
  RunCheckpoints(storage::RunStore& store, std::int64_t run, const std::string& db_path,
                 const spec::RunSpec& spec, const std::vector<std::string>& classes);

  // After every epoch: writes the last checkpoint, and the best one when the epoch improved
  // the selection metric (chosen on val, never on test), then records both as artifacts.
  void after_epoch(engine::Network& network, const engine::EpochStats& stats);

  // "best" or "last".
  std::filesystem::path file(const std::string& which) const;

 private:
  void write(engine::Network& network, const std::string& which, int epoch);

  storage::RunStore& store_;
  std::int64_t run_;
  std::filesystem::path db_dir_;
  std::string select_on_;
  engine::CheckpointInfo info_;
};

}  // namespace ferlab::run
