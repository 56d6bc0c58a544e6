#include "spec/problems.hpp"

namespace ferlab::spec {

std::string SpecProblem::text() const {
  std::string out = where.text() + ": ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

void ProblemList::add(const Location& where, const std::string& path, const std::string& message) {
  SpecProblem p{where, path, message};
  // The same mistake shows up once per sweep variant; report it once.
  if (texts_.insert(p.text()).second) problems_.push_back(std::move(p));
}

std::string child_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace ferlab::spec
