// The teachers of a distilled run (train.distill.teacher): trained models whose mean class
// probabilities become the student's soft targets, on each of its batches (sees: augmented) or
// on each original training image, computed once before training (sees: original).
#pragma once

#include <ferlab/sample.hpp>
#include <string>

#include "engine/trainer.hpp"
#include "loader/plugin_catalog.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::run {

// Loads the teachers the run names (shipped model names, checkpoint files, run ids of the
// database at `db`) and gives them to `trainer`. Each must have the dataset's classes in the
// same order. sees: augmented: a Teacher called on every batch, so each teacher must take the
// student's input shape and preprocessing. sees: original: fixed targets for each image of
// `data`'s train split (the student's, after its preprocessing), found by sample id in the
// dataset as the run's plugin loads it and prepared by each teacher's own preprocessing,
// averaged over train.distill.tta's views. Throws std::runtime_error naming the teacher or the
// image and what differs. Returns what the run's log says about it.
std::string attach_teachers(engine::Trainer& trainer, const kernel::PluginCatalog& catalog,
                            const spec::RunSpec& run, const DatasetContents& data,
                            const InputShape& shape, const std::string& db);

}  // namespace ferlab::run
