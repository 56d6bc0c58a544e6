// Problems found in a spec, each pointing at the text that caused it.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "spec/spec_node.hpp"

namespace ferlab::spec {

struct SpecProblem {
  Location where;
  std::string path;  // "augment[1].degrees"; empty for the document as a whole
  std::string message;

  // "file:line:col: augment[1].degrees: unknown key 'degres' (did you mean 'degrees'?)"
  std::string text() const;
};

class ProblemList {
 public:
  void add(const Location& where, const std::string& path, const std::string& message);
  bool empty() const { return problems_.empty(); }
  size_t size() const { return problems_.size(); }
  const std::vector<SpecProblem>& all() const { return problems_; }

 private:
  std::vector<SpecProblem> problems_;      // in the order found, without repeats
  std::unordered_set<std::string> texts_;  // of problems_, to find repeats in constant time
};

// Joins key paths: child_path("train", "epochs") = "train.epochs", index_path("augment", 1)
// = "augment[1]".
std::string child_path(const std::string& parent, const std::string& key);
std::string index_path(const std::string& parent, size_t index);

}  // namespace ferlab::spec
