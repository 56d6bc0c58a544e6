// Models that ship with ferlab: <name>.ferlab (a compact checkpoint) with <name>.manifest (YAML
// text: how it was trained and what it measured) beside it, found by name in the model
// directories, so `--model fer2013-fast` works like a path or a run id. An ensemble ships as
// <name>.ensemble (YAML: `members: [a, b, ...]`, names of shipped models) with its manifest:
// its name stands for the mean of its members' probabilities.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ferlab::models {

inline constexpr const char* model_extension = ".ferlab";
inline constexpr const char* manifest_extension = ".manifest";
inline constexpr const char* ensemble_extension = ".ensemble";

// The directories searched, in order: FERLAB_MODEL_PATH (colon separated), then share/ferlab/
// models next to the running executable's bin/ (the build tree links it to the source's
// models/), then the installed one.
std::vector<std::filesystem::path> model_search_path();

struct ShippedModel {
  std::string name;
  std::filesystem::path file;        // <dir>/<name>.ferlab, or <dir>/<name>.ensemble
  std::filesystem::path manifest;    // <dir>/<name>.manifest (may be missing)
  std::vector<std::string> members;  // an ensemble's member names; empty for one model

  bool is_ensemble() const { return !members.empty(); }
};

// Every model and ensemble in the search path by name; a name found twice is the first
// directory's. Throws std::runtime_error naming an .ensemble file that does not read (not a
// map with a non-empty `members` list of model names).
std::vector<ShippedModel> shipped_models();

// Whether `text` can name a shipped model: letters, digits, '.', '_' and '-', no path.
bool is_model_name(const std::string& text);

std::optional<ShippedModel> find_shipped_model(const std::string& name);

}  // namespace ferlab::models
