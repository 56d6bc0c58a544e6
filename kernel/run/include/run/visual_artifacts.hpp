// The run-end step that keeps images for the report, which reads only the run database: the
// most confidently misclassified test faces, a preview grid of the training images as the
// network sees them (preprocessed, then randomly augmented) and Grad-CAM heatmaps over right and
// wrong test faces, stored as PNG artifacts.
#pragma once

#include <ferlab/sample.hpp>

#include "engine/network.hpp"
#include "loader/plugin_catalog.hpp"
#include "run/event_log.hpp"
#include "spec/run_spec.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {

// Call after the run's test predictions are recorded. Never throws: a failure to make an image
// is a warning in `events`, not a failed run.
void record_visual_artifacts(storage::RunStore& store, std::int64_t run,
                             const kernel::PluginCatalog& catalog, const spec::RunSpec& spec,
                             engine::Network& network, const DatasetContents& data,
                             EventLog& events);

}  // namespace ferlab::run
