// The data stages of the graph: loading a dataset and applying one preprocessing step.
#pragma once

#include <ferlab/events.hpp>
#include <ferlab/preprocessor.hpp>
#include <ferlab/sample.hpp>
#include <memory>

#include "loader/plugin_catalog.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::assembly {

// Loads the dataset and checks it can be trained on: classes named, a non-empty train split,
// labels in range. Throws std::runtime_error naming the plugin otherwise.
DatasetContents load_dataset(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                             EventSink& events);

// Fits the preprocessor on the train split only, then applies it to every split's images. An
// image on which it throws is skipped with a "preprocess-failed" warning naming the sample;
// failing on a whole split throws. `events` is called from several threads at once. `fitted_state`,
// when given, receives what it learned in fit() (Preprocessor::fitted_state).
DatasetContents preprocess(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                           const DatasetContents& input, EventSink& events,
                           std::string* fitted_state = nullptr);

// One preprocess step of a spec, unfitted: what preprocess() fits and applies, and what
// prediction restores (Preprocessor::restore) and applies to each face.
std::shared_ptr<Preprocessor> make_preprocessor(const kernel::PluginCatalog& catalog,
                                                const spec::PluginCall& call);

// `step` on one image; throws std::runtime_error when it returns no pixels.
cv::Mat apply_preprocessor(const Preprocessor& step, const cv::Mat& image, EventSink& events);

}  // namespace ferlab::assembly
