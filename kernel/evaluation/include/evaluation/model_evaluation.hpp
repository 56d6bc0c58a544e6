// `ferlab evaluate`: trained models (shipped, checkpoint files or runs) measured on a dataset's
// splits under each test-time augmentation mode, recorded as a run of their own so `runs`,
// `report` and the significance tests treat it like any trained variant. Two or more models
// are an ensemble: the mean of the members' class probabilities (each with its own
// preprocessing chain and the same TTA mode).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "assembly/model_set.hpp"
#include "loader/plugin_catalog.hpp"
#include "options/train_options.hpp"
#include "storage/run_store.hpp"

namespace ferlab::evaluation {

struct EvaluationRequest {
  std::vector<std::string> models;  // names, checkpoint files or run ids of `db`
  std::string db = "ferlab.db";     // where run ids are looked up and the result is recorded
  std::string data;                 // the dataset's path or root instead of the spec's ("")
  std::vector<std::string> splits = {"val", "test"};
  std::vector<options::Tta> tta = {options::Tta::none, options::Tta::hflip, options::Tta::ten_crop};
  std::string experiment = "evaluate";
  int threads = 0;
};

struct EvaluationResult {
  std::int64_t run = 0;
  assembly::ModelSet models;  // its label is the run's variant
  std::vector<storage::Evaluation> figures;
};

// Throws std::runtime_error naming the model or dataset that cannot be used: a model that does
// not load, members with other classes, a dataset whose classes differ from the model's, a
// split the dataset does not have. A failure after the run began records it as failed.
EvaluationResult evaluate_models(const kernel::PluginCatalog& catalog,
                                 const EvaluationRequest& request);

}  // namespace ferlab::evaluation
