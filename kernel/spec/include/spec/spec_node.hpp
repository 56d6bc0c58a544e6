// A YAML tree that remembers where each node was written (file:line:column), so that errors
// found after sweeps and --set overrides still point at the text the user wrote.
#pragma once

#include <ferlab/value.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ferlab::spec {

struct Location {
  std::shared_ptr<const std::string> origin;  // file path, or "--set key=value"
  int line = 0, column = 0;                   // 1-based; 0 = unknown

  std::string text() const;  // "file:12:5" or "--set x=1"
};

struct SpecNode {
  enum class Type { null, scalar, sequence, map };
  Type type = Type::null;
  std::string scalar;
  bool quoted = false;                                   // a quoted scalar is always a string
  std::vector<SpecNode> items;                           // sequence
  std::vector<std::pair<std::string, SpecNode>> fields;  // map, in written order
  Location location;                                     // of the value
  Location key_location;  // of the key, when this node is a map value

  // Out of line (defaulted in spec_node.cpp): defined here, they would instantiate
  // std::pair<std::string, SpecNode> while SpecNode is incomplete, which clang refuses.
  SpecNode();
  SpecNode(const SpecNode&);
  SpecNode(SpecNode&&) noexcept;
  SpecNode& operator=(const SpecNode&);
  SpecNode& operator=(SpecNode&&) noexcept;
  ~SpecNode();

  bool is_map() const { return type == Type::map; }
  bool is_sequence() const { return type == Type::sequence; }
  bool is_scalar() const { return type == Type::scalar; }
  bool is_null() const { return type == Type::null; }

  const SpecNode* find(const std::string& key) const;
  SpecNode* find(const std::string& key);
  // Inserts or replaces a map field, keeping the written order.
  SpecNode& set(const std::string& key, SpecNode value);

  static SpecNode make_scalar(std::string text, Location where = {});
  static SpecNode make_map(Location where = {});
};

struct SpecSyntaxError : std::runtime_error {
  SpecSyntaxError(Location where, const std::string& detail)
      : std::runtime_error(where.text() + ": invalid YAML: " + detail),
        where(std::move(where)),
        detail(detail) {}
  Location where;
  std::string detail;
};

class ExpandedText;

// Parses YAML text; throws SpecSyntaxError naming origin:line:column on a syntax error, and
// SpecLimitError (spec_limits.hpp) when the tree, aliases expanded, exceeds SpecLimits. With
// `expanded`, locations are mapped back to the text before ${VAR} expansion.
SpecNode parse_yaml(const std::string& text, const std::string& origin,
                    const ExpandedText* expanded = nullptr);

// The value a scalar or a flat sequence/map of scalars stands for, typed as YAML 1.2 would
// type it (true/false, integers, floats, else strings; quoted scalars are strings).
// Returns nullopt for nested structures.
std::optional<Value> to_value(const SpecNode& node);

// Builds a node from a value (for defaults filled into the resolved spec).
SpecNode from_value(const Value& value);

// Emits block-style YAML.
std::string to_yaml(const SpecNode& node);

}  // namespace ferlab::spec
