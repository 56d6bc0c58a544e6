// Executes an experiment graph: loads and preprocesses data once per shared stage, trains and
// evaluates each run, and records everything in the run store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/collective.hpp"
#include "loader/plugin_catalog.hpp"
#include "spec/spec_loader.hpp"
#include "storage/run_status.hpp"

namespace ferlab::run {

struct RunOptions {
  std::string db = "ferlab.db";
  int threads = 0;  // 0 = one per core
  int shard_index = 0, shard_count = 1;
  std::string cache;  // image cache folder; "off" = none; empty = the default (data_cache.hpp)
  // Continue each unfinished run of the spec (same experiment, variant and seed) from its last
  // checkpoint, skip finished ones, start those never started.
  bool resume = false;
  // A halving rung: each run stops after this many epochs (when it has more to train), its
  // checkpoint kept and its status interrupted, for the next rung to resume. 0: train them all.
  int pause_after_epochs = 0;
  // A halving search split over shards: the other shards' databases (this one may be among
  // them). Each rung is decided on every shard's trials, read from the snapshots their
  // processes publish (storage/shard_snapshot.hpp); until all have reached it, this process
  // stops, and running it again (--resume) goes on.
  std::vector<std::string> peer_dbs;
  // Data-parallel (mpirun -np N): every process trains each run together; rank 0 alone holds
  // the database, checkpoints and progress, and tells the others what to train (follower.hpp).
  engine::Collective* processes = nullptr;
  std::vector<std::string> process_hosts;  // in rank order, recorded with each run
};

struct RunSummary {
  std::int64_t id = 0;
  std::string variant;
  std::int64_t seed = 0;
  storage::RunStatus status = storage::RunStatus::running;
  double test_accuracy = -1;
  double seconds = 0;
  std::string error;
  bool not_promoted = false;  // a halving search stopped it after a rung: it did not fail
  bool waiting = false;       // paused at a rung until other shards' trials reach it
};

// The runs of the spec that shard `index` of `count` executes: every count-th from index.
std::vector<spec::RunSpec> shard_runs(const std::vector<spec::RunSpec>& runs, int index, int count);

// Runs the spec's runs (those of the shard). Throws storage::StorageError before any work when
// the database cannot be written; a failing run is recorded as failed and the others go on.
// With options.resume, runs skipped as already finished are not in the result.
std::vector<RunSummary> execute(const spec::LoadedSpec& spec, const std::string& spec_text,
                                const kernel::PluginCatalog& catalog, const RunOptions& options);

}  // namespace ferlab::run
