// A trained model as one file: a checkpoint carries the weights, the resolved spec (network and
// preprocessing chain), the class names and the input shape, so prediction needs nothing else
// and cannot disagree with training about the preprocessing.
#pragma once

#include <ferlab/backbone.hpp>
#include <ferlab/preprocessor.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "loader/plugin_catalog.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::assembly {

struct ModelBundle {
  std::unique_ptr<engine::Network> network;
  std::vector<std::string> classes;
  InputShape shape;
  // The spec's preprocess steps in order, created as training created them and restored to
  // what they learned from the train split (the checkpoint's fitted states).
  struct Step {
    std::string plugin;
    std::shared_ptr<Preprocessor> step;
    std::string fitted_state;  // what it learned from the train split ("" = nothing)
  };
  std::vector<Step> preprocess;
  std::string spec_text;
  spec::RunSpec run;           // spec_text, loaded: its dataset, network and seed
  std::filesystem::path file;  // the checkpoint it was loaded from
  std::string label;           // how the user named it: a shipped model, "run 3", the file
  std::map<std::string, std::string> metadata;  // the checkpoint's

  // The preprocessing chain on one face crop (8-bit). Throws naming the failing step.
  cv::Mat prepare(const cv::Mat& face) const;
  // Class probabilities of each face crop: the chain, then an inference pass (softmax).
  std::vector<std::vector<float>> classify(const std::vector<cv::Mat>& faces);
};

// The checkpoint metadata key of what preprocessing step `index` (0-based) learned in fit():
// written by a run's checkpoints, read back by load_model.
std::string fitted_state_key(std::size_t index);

// `source` is a checkpoint file, a run id of the database at `db` (its best checkpoint
// artifact) or the name of a shipped model (models::find_shipped_model). Throws std::runtime_error
// naming the file, or the run, when the run has no checkpoint, the file is foreign, of a newer
// format, corrupt, or lacks the metadata prediction needs ("spec", "classes", "input_shape"), or
// its spec no longer validates.
ModelBundle load_model(const kernel::PluginCatalog& catalog, const std::string& source,
                       const std::string& db);

// Whether `source` reads as a run id (digits only), as model_file() takes it.
bool is_run_id(const std::string& source);

// The checkpoint file `source` names: an existing file; a run id's best checkpoint recorded in
// the database (relative paths are relative to the database's folder); a shipped model's file.
// Throws naming what was looked for when it is none of these.
std::filesystem::path model_file(const std::string& source, const std::string& db);

}  // namespace ferlab::assembly
