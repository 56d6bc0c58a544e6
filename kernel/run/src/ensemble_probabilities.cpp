#include "run/ensemble_probabilities.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "run/tta.hpp"

namespace ferlab::run {
namespace {

// The samples as `model` sees them: its own preprocessing chain, restored, on every image.
std::vector<Sample> prepared_for(const assembly::ModelBundle& model,
                                 const std::vector<Sample>& samples) {
  std::vector<Sample> out;
  out.reserve(samples.size());
  for (const Sample& s : samples) {
    try {
      out.push_back({model.prepare(s.image), s.label, s.id});
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("{}: sample {}: {}", model.label, s.id, e.what()));
    }
  }
  return out;
}

}  // namespace

std::vector<std::vector<std::vector<float>>> ensemble_probabilities(
    assembly::ModelSet& models, const std::vector<Sample>& samples,
    const std::vector<options::Tta>& modes) {
  std::vector<assembly::ModelBundle>& members = models.members();
  std::vector<std::vector<std::vector<float>>> mean(modes.size());
  // One member's prepared copy of the samples at a time.
  for (assembly::ModelBundle& member : members) {
    auto by_mode = tta_probabilities(*member.network, prepared_for(member, samples), modes);
    for (std::size_t m = 0; m < modes.size(); ++m)
      assembly::add_to_mean(mean[m], by_mode[m], members.size());
  }
  return mean;
}

}  // namespace ferlab::run
