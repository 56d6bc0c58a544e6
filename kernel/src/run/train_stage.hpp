// The model stages of the graph: building the network a run names, training it, evaluating it.
#pragma once

#include <ferlab/sample.hpp>
#include <memory>

#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "plugin_catalog.hpp"
#include "spec/run_spec.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {

// The network of a run: from its backbone plugin or its inline layers, for the shape of the
// training images. Throws std::invalid_argument when the network does not end in one output
// per class.
std::unique_ptr<engine::Network> build_network(const kernel::PluginCatalog& catalog,
                                               const spec::RunSpec& run,
                                               const DatasetContents& data);

// The run's augmenters in order: per-image ones, then batch ones (mixup, cutmix) on the
// assembled batch. Empty steps when there are none.
engine::Augmentation make_augment(const kernel::PluginCatalog& catalog, const spec::RunSpec& run);

// Evaluates the network on one split: overall metrics and the confusion matrix.
storage::Evaluation evaluate_split(engine::Network& network, const std::vector<Sample>& samples,
                                   int classes, const std::string& split);

}  // namespace ferlab::run
