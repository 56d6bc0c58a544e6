#include "key_paths.hpp"

#include <fmt/format.h>

#include <ferlab/schema_check.hpp>
#include <sstream>

#include "spec/kernel_schema.hpp"

namespace ferlab::spec {
namespace {

bool is_index(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream in(path);
  std::string segment;
  while (std::getline(in, segment, '.')) out.push_back(segment);
  return out;
}

bool check_path(const std::vector<std::string>& segments, const Location& where,
                const std::string& what, ProblemList& problems) {
  const Section* section = &experiment_schema();
  std::string walked;
  for (const std::string& segment : segments) {
    if (!section) return true;
    const Field* field = section->find(segment);
    if (!field) {
      problems.add(where, child_path(walked, segment),
                   fmt::format("{} names unknown key '{}'{}", what, segment,
                               did_you_mean(segment, section->keys())));
      return false;
    }
    walked = child_path(walked, segment);
    section = field->type == Field::Type::section ? field->section : nullptr;
  }
  if (segments.empty()) problems.add(where, "", what + " has an empty key path");
  return !segments.empty();
}

SpecNode* node_at(SpecNode& root, const std::vector<std::string>& segments) {
  SpecNode* node = &root;
  for (const std::string& segment : segments) {
    if (node->is_sequence() && is_index(segment)) {
      size_t i = std::stoul(segment);
      if (i >= node->items.size()) return nullptr;
      node = &node->items[i];
      continue;
    }
    if (node->is_null()) *node = SpecNode::make_map(node->location);
    if (!node->is_map()) return nullptr;
    SpecNode* child = node->find(segment);
    if (!child) child = &node->set(segment, SpecNode());
    node = child;
  }
  return node;
}

}  // namespace ferlab::spec
