// The data stages of the graph: loading a dataset and applying one preprocessing step.
#pragma once

#include <ferlab/sample.hpp>

#include "plugin_catalog.hpp"
#include "run/event_log.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::run {

// Loads the dataset and checks it can be trained on: classes named, a non-empty train split,
// labels in range. Throws std::runtime_error naming the plugin otherwise.
DatasetContents load_dataset(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                             EventLog& events);

// Fits the preprocessor on the train split only, then applies it to every split's images. An
// image on which it throws is skipped with a "preprocess-failed" warning naming the sample;
// failing on a whole split throws.
DatasetContents preprocess(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                           const DatasetContents& input, EventLog& events);

}  // namespace ferlab::run
