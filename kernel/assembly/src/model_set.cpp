#include "assembly/model_set.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "models/shipped_models.hpp"

namespace ferlab::assembly {

ModelSet::ModelSet(std::vector<ModelBundle> members, std::string label)
    : members_(std::move(members)), label_(std::move(label)) {
  if (members_.empty()) throw std::runtime_error("no model given");
  std::vector<std::string> labels;
  for (const ModelBundle& m : members_) {
    if (m.classes != classes())
      throw std::runtime_error(fmt::format(
          "{} and {} have other classes ({} vs {}): an ensemble needs the same classes in the "
          "same order",
          members_.front().label, m.label, fmt::join(classes(), ", "), fmt::join(m.classes, ", ")));
    labels.push_back(m.label);
  }
  if (label_.empty())
    label_ = is_ensemble() ? fmt::format("ensemble({})", fmt::join(labels, " + ")) : labels.front();
}

std::vector<std::vector<float>> ModelSet::classify(const std::vector<cv::Mat>& faces) {
  if (!is_ensemble()) return members_.front().classify(faces);
  std::vector<std::vector<float>> mean;
  for (ModelBundle& m : members_) add_to_mean(mean, m.classify(faces), members_.size());
  return mean;
}

ModelSet load_models(const kernel::PluginCatalog& catalog, const std::vector<std::string>& sources,
                     const std::string& db) {
  std::vector<ModelBundle> members;
  std::string label;
  for (const std::string& source : sources) {
    // As model_file() reads a source: a file, then a run id, then a name.
    const auto ensemble = std::filesystem::exists(source) || is_run_id(source)
                              ? std::nullopt
                              : models::find_shipped_model(source);
    if (!ensemble || !ensemble->is_ensemble()) {
      members.push_back(load_model(catalog, source, db));
      continue;
    }
    for (const std::string& member : ensemble->members)
      members.push_back(load_model(catalog, member, db));
    if (sources.size() == 1) label = source;
  }
  return ModelSet(std::move(members), label);
}

void add_to_mean(std::vector<std::vector<float>>& mean,
                 const std::vector<std::vector<float>>& member, std::size_t members) {
  if (mean.empty())
    mean.assign(member.size(), std::vector<float>(member.empty() ? 0 : member[0].size(), 0.f));
  const float weight = 1.f / static_cast<float>(members);
  for (std::size_t i = 0; i < member.size(); ++i)
    for (std::size_t c = 0; c < member[i].size(); ++c) mean[i][c] += member[i][c] * weight;
}

}  // namespace ferlab::assembly
