// A run's network and augmenters from its spec: built from the backbone plugin or inline layers,
// initialised (train.init, then model.init_from), and the augmentation chain.
#pragma once

#include <ferlab/sample.hpp>
#include <memory>
#include <stdexcept>

#include "engine/network.hpp"
#include "engine/trainer.hpp"
#include "loader/plugin_catalog.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::assembly {

// A spec asks for bf16 convolutions and this CPU has no oneDNN kernel for them (no AVX-512).
// The message names the spec key and the way out; prediction catches it to use f32 instead.
struct Bf16Unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The network of a run: from its backbone plugin or its inline layers, for input images of
// `shape` (training: the train split's first image; prediction: the checkpoint's). Throws
// std::invalid_argument when the network does not end in one output per class, and
// Bf16Unavailable as above.
std::unique_ptr<engine::Network> build_network(const kernel::PluginCatalog& catalog,
                                               const spec::RunSpec& run, const InputShape& shape,
                                               int classes);

// The shape of the training images (the train split's first one).
InputShape training_input_shape(const DatasetContents& data);

// Initial weights for the run's seed (train.init), then, when model.init_from names a
// checkpoint, every tensor of it whose name and shape match (fine-tuning). Returns a line for
// the run's events saying what was loaded; empty without init_from. Throws std::runtime_error
// naming the file when it cannot be read or shares no tensor with the network.
std::string initialize_network(engine::Network& network, const spec::RunSpec& run);

// The run's augmenters in order: per-image ones, then batch ones (mixup, cutmix) on the
// assembled batch. Empty steps when there are none.
engine::Augmentation make_augment(const kernel::PluginCatalog& catalog, const spec::RunSpec& run);

}  // namespace ferlab::assembly
