// A shipped model's manifest: <name>.manifest beside <name>.ferlab, YAML text a person can read
// without ferlab: what the file holds (classes, input, preprocessing and what it learned, the
// spec), how it was trained, and the accuracies `ferlab evaluate` measured on the file itself.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "evaluation/model_evaluation.hpp"

namespace ferlab::evaluation {

// Checkpoint metadata keys that `ferlab export --compact` adds for the manifest.
inline constexpr const char* trained_with_key = "trained_with";
inline constexpr const char* notes_key = "notes";

// Writes the manifest of the model `result` evaluated, `command` being the evaluation's
// command line: a single model's (its file, spec and training), or an ensemble's (its members,
// their files' total size, summed parameters and MACs). Throws naming the file it cannot write.
void write_manifest(const std::filesystem::path& file, const EvaluationResult& result,
                    const std::string& command);

// What `ferlab models` shows of a manifest.
struct ManifestSummary {
  std::int64_t bytes = 0, parameters = 0, macs = 0;
  // split -> tta -> accuracy
  std::map<std::string, std::map<std::string, double>> accuracy;
};

// Throws std::runtime_error naming the file and key when it does not read.
ManifestSummary read_manifest(const std::filesystem::path& file);

}  // namespace ferlab::evaluation
