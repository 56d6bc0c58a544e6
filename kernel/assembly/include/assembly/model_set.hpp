// What predict and evaluate classify with: one model, or an ensemble of several whose class
// probabilities are averaged (each member with its own preprocessing chain).
#pragma once

#include <string>
#include <vector>

#include "assembly/model_bundle.hpp"

namespace ferlab::assembly {

class ModelSet {
 public:
  // At least one member; all with the same classes in the same order, else throws
  // std::runtime_error naming the two that differ.
  // `label` names the set (a shipped ensemble's name); empty: from the members.
  explicit ModelSet(std::vector<ModelBundle> members, std::string label = "");

  const std::vector<std::string>& classes() const { return members_.front().classes; }
  // The member's label, a shipped ensemble's name, or "ensemble(a + b + ...)".
  const std::string& label() const { return label_; }
  bool is_ensemble() const { return members_.size() > 1; }
  std::vector<ModelBundle>& members() { return members_; }
  const std::vector<ModelBundle>& members() const { return members_; }

  // The mean of the members' class probabilities for each face crop.
  std::vector<std::vector<float>> classify(const std::vector<cv::Mat>& faces);

 private:
  std::vector<ModelBundle> members_;
  std::string label_;
};

// Each source as load_model reads it (name, run id of `db`, or checkpoint file); a shipped
// ensemble's name stands for its members (the set is then labelled with that name when it is
// the only source).
ModelSet load_models(const kernel::PluginCatalog& catalog, const std::vector<std::string>& sources,
                     const std::string& db);

// Adds `member`'s probabilities, divided by `members`, to `mean` (sized on the first call).
void add_to_mean(std::vector<std::vector<float>>& mean,
                 const std::vector<std::vector<float>>& member, std::size_t members);

}  // namespace ferlab::assembly
