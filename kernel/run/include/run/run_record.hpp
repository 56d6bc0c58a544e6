// Turning a run's spec and environment into what the store keeps.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "run/environment.hpp"
#include "spec/run_spec.hpp"
#include "storage/run_store.hpp"

namespace ferlab::run {

// The resolved spec flattened to key paths: "train.optimizer.lr" -> "0.1",
// "preprocess[0].plugin" -> "clahe", lists of scalars kept whole: "seeds" -> "[1]".
std::vector<std::pair<std::string, std::string>> flatten_spec(const std::string& resolved_yaml);

// The fold of a k-fold run, by the convention of the dataset plugins: a `fold` parameter
// ("3/10"), in force when the dataset has no `split` parameter or it is `kfold` (image-folder
// fills in a default fold even for ratio splits).
std::optional<std::string> dataset_fold(const spec::PluginCall& dataset);

storage::RunInfo run_info(const spec::RunSpec& run, const std::string& spec_text,
                          const Environment& environment);

}  // namespace ferlab::run
