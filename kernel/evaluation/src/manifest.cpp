#include "evaluation/manifest.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/checkpoint.hpp"
#include "run/run_checkpoints.hpp"
#include "storage/sha256.hpp"

namespace ferlab::evaluation {
namespace {

std::string metadata(const assembly::ModelBundle& m, const std::string& key) {
  auto it = m.metadata.find(key);
  return it == m.metadata.end() ? "" : it->second;
}

double rounded(double accuracy) { return std::round(accuracy * 1e4) / 1e4; }

// split -> {tta: accuracy}, splits and modes in the order they were evaluated.
void write_accuracy(YAML::Emitter& out, const EvaluationResult& result) {
  std::vector<std::string> splits;
  for (const storage::Evaluation& e : result.figures)
    if (std::find(splits.begin(), splits.end(), e.split) == splits.end()) splits.push_back(e.split);
  out << YAML::BeginMap;
  for (const std::string& split : splits) {
    out << YAML::Key << split << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const storage::Evaluation& e : result.figures)
      if (e.split == split)
        out << YAML::Key << e.tta << YAML::Value << rounded(e.metric("accuracy"));
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void write_to(const std::filesystem::path& file, const YAML::Emitter& out) {
  std::ofstream stream(file, std::ios::trunc);
  stream << out.c_str() << '\n';
  if (!stream.flush()) throw std::runtime_error(file.string() + ": cannot write the manifest");
}

// An ensemble's: what it is made of and what it measured; each member's own manifest has the
// rest (spec, training).
void write_ensemble_manifest(const std::filesystem::path& file, const EvaluationResult& result,
                             const std::string& command) {
  const auto& members = result.models.members();
  std::vector<std::string> names;
  std::int64_t bytes = 0, parameters = 0, macs = 0;
  for (const assembly::ModelBundle& m : members) {
    names.push_back(m.label);
    bytes += static_cast<std::int64_t>(std::filesystem::file_size(m.file));
    parameters += m.network->parameter_count();
    macs += m.network->macs();
  }
  YAML::Emitter out;
  out.SetDoublePrecision(6);
  out << YAML::Comment(
      "An ensemble shipped with ferlab: the mean of its members' class probabilities (each with "
      "its own preprocessing and the same TTA mode); written by `ferlab evaluate --manifest` "
      "from the accuracies measured on the shipped member files");
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << result.models.label();
  out << YAML::Key << "ensemble_of" << YAML::Value << YAML::Flow << names;
  out << YAML::Key << "bytes" << YAML::Value << bytes;
  out << YAML::Key << "classes" << YAML::Value << YAML::Flow << members.front().classes;
  out << YAML::Key << "parameters" << YAML::Value << parameters;
  out << YAML::Key << "macs" << YAML::Value << macs;
  out << YAML::Key << "evaluated_with" << YAML::Value << command;
  out << YAML::Key << "accuracy" << YAML::Value;
  write_accuracy(out, result);
  out << YAML::EndMap;
  write_to(file, out);
}

}  // namespace

void write_manifest(const std::filesystem::path& file, const EvaluationResult& result,
                    const std::string& command) {
  if (result.models.is_ensemble()) return write_ensemble_manifest(file, result, command);
  const assembly::ModelBundle& m = result.models.members().front();
  YAML::Emitter out;
  out.SetDoublePrecision(6);  // accuracies are rounded to 4 decimals: no binary noise
  out << YAML::Comment(
      "A model shipped with ferlab; written by `ferlab evaluate --manifest` from the model "
      "file and the accuracies measured on it (not on the f32 original)");
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << m.label;
  out << YAML::Key << "file" << YAML::Value << m.file.filename().string();
  out << YAML::Key << "bytes" << YAML::Value
      << static_cast<std::int64_t>(std::filesystem::file_size(m.file));
  out << YAML::Key << "sha256" << YAML::Value << storage::sha256_file(m.file);
  out << YAML::Key << "weights" << YAML::Value
      << fmt::format(
             "f16 for tensors of {}+ values (convolution and dense weights), f32 for the "
             "rest",
             engine::compact_min_elements);
  out << YAML::Key << "classes" << YAML::Value << YAML::Flow << m.classes;
  out << YAML::Key << "input_shape" << YAML::Value << metadata(m, "input_shape");
  out << YAML::Key << "parameters" << YAML::Value << m.network->parameter_count();
  out << YAML::Key << "macs" << YAML::Value << m.network->macs();
  out << YAML::Key << "seed" << YAML::Value << metadata(m, "seed");
  out << YAML::Key << "selected_on" << YAML::Value << metadata(m, "select_on");
  out << YAML::Key << "trained_with" << YAML::Value << metadata(m, trained_with_key);
  if (!metadata(m, notes_key).empty())
    out << YAML::Key << "notes" << YAML::Value << metadata(m, notes_key);
  out << YAML::Key << "preprocess" << YAML::Value << YAML::BeginSeq;
  for (std::size_t i = 0; i < m.preprocess.size(); ++i)
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "plugin" << YAML::Value
        << m.preprocess[i].plugin << YAML::Key << "fitted_state" << YAML::Value
        << m.preprocess[i].fitted_state << YAML::EndMap;
  out << YAML::EndSeq;
  out << YAML::Key << "evaluated_with" << YAML::Value << command;
  out << YAML::Key << "accuracy" << YAML::Value;
  write_accuracy(out, result);
  out << YAML::Key << "spec" << YAML::Value << YAML::Literal << m.spec_text;
  out << YAML::EndMap;
  write_to(file, out);
}

ManifestSummary read_manifest(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", file.string(), e.what()));
  }
  ManifestSummary summary;
  auto number = [&](const char* key) -> std::int64_t {
    try {
      return root[key] ? root[key].as<std::int64_t>() : 0;
    } catch (const YAML::Exception&) {
      throw std::runtime_error(fmt::format("{}: '{}' is not a whole number", file.string(), key));
    }
  };
  summary.bytes = number("bytes");
  summary.parameters = number("parameters");
  summary.macs = number("macs");
  if (const YAML::Node accuracy = root["accuracy"]; accuracy && accuracy.IsMap())
    for (const auto& split : accuracy)
      if (split.second.IsMap())
        for (const auto& tta : split.second) try {
            summary.accuracy[split.first.as<std::string>()][tta.first.as<std::string>()] =
                tta.second.as<double>();
          } catch (const YAML::Exception&) {
            throw std::runtime_error(fmt::format("{}: accuracy.{}.{} is not a number",
                                                 file.string(), split.first.as<std::string>(),
                                                 tta.first.as<std::string>()));
          }
  return summary;
}

}  // namespace ferlab::evaluation
