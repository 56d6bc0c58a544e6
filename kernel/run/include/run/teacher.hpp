// The teacher of a distilled run (train.distill.teacher): trained models whose mean class
// probabilities on the student's batches become its soft targets.
#pragma once

#include <ferlab/sample.hpp>
#include <string>
#include <vector>

#include "engine/trainer.hpp"
#include "loader/plugin_catalog.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::run {

// Loads the teachers the run names (shipped model names, checkpoint files, run ids of the
// database at `db`) and checks each against the student: the same classes in the same order,
// the same input shape and the same preprocessing steps with the same parameters, since it is
// given the student's prepared and augmented batches. Throws std::runtime_error naming the
// teacher and what differs.
engine::Teacher make_teacher(const kernel::PluginCatalog& catalog, const spec::RunSpec& run,
                             const std::vector<std::string>& classes, const InputShape& shape,
                             const std::string& db);

}  // namespace ferlab::run
