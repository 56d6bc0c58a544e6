// Reading back what a run produced besides its figures: predictions and artifacts.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/run_store.hpp"

namespace ferlab::storage {

// Every prediction set of the run (by split, tta, checkpoint), rows in sample order.
std::vector<PredictionSet> run_predictions(Database& db, std::int64_t run);

// The run's artifacts in the order they were first recorded; without `with_data` the data
// blobs are left out (a listing).
std::vector<Artifact> run_artifacts(Database& db, std::int64_t run, bool with_data = false);

}  // namespace ferlab::storage
