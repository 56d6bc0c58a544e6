// The processes other than rank 0 in `mpirun -np N ferlab run SPEC`: they hold no database,
// write no checkpoint and print nothing; rank 0 tells them which run to train next (and the
// checkpoint it resumes from), they build the same data and network, and train it with rank 0
// through the trainer's collective until rank 0 says the spec is done.
#pragma once

#include <string>
#include <vector>

#include "engine/collective.hpp"
#include "loader/plugin_catalog.hpp"
#include "run/data_cache.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::run {

// Rank 0's orders, broadcast as text: "train <position in runs> [<checkpoint to resume>]", or
// "end" once it has nothing more to train (finished, interrupted or failed).
std::string train_order(std::size_t position, const std::string& resume_checkpoint);
inline const std::string end_order = "end";

// A process of rank > 0: follows rank 0's orders over the same `runs` (the same shard) until
// "end". `db` is rank 0's database path (for distillation teachers named by run id, read only).
// Throws on any error, which must end every process (MPI_Abort): rank 0 would otherwise wait.
void follow_rank0(engine::Collective& processes, const std::vector<spec::RunSpec>& runs,
                  const kernel::PluginCatalog& catalog, DataCache cache, const std::string& db);

}  // namespace ferlab::run
