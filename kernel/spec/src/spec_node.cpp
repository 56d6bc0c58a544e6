#include "spec/spec_node.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>

#include "spec/env_expand.hpp"
#include "spec/spec_limits.hpp"

namespace ferlab::spec {
namespace {

struct Source {
  std::shared_ptr<const std::string> origin;
  const ExpandedText* expanded;
};

Location location_of(const YAML::Mark& mark, const Source& source) {
  if (mark.is_null()) return {source.origin, 0, 0};
  int column =
      source.expanded ? source.expanded->original_column(mark.line, mark.column) : mark.column;
  return {source.origin, mark.line + 1, column + 1};
}

// Converts yaml-cpp's tree, in which an alias is a shared reference to its anchor's node, into
// SpecNodes, in which it is a copy: the budget of nodes and the depth bound that copy (a
// "billion laughs" of 9 aliases to 9 aliases expands to 9^9 nodes from a dozen lines).
class Converter {
 public:
  explicit Converter(Source source) : source_(std::move(source)) {}

  SpecNode convert(const YAML::Node& node, int depth = 1) {
    SpecNode out;
    out.location = location_of(node.Mark(), source_);
    if (++nodes_ > SpecLimits::nodes)
      throw SpecLimitError(out.location,
                           fmt::format("more than {} YAML nodes with its aliases expanded (the "
                                       "limit on spec nodes)",
                                       SpecLimits::nodes));
    if (depth > SpecLimits::depth)
      throw SpecLimitError(out.location, fmt::format("nested more than {} levels deep (the limit "
                                                     "on spec nesting)",
                                                     SpecLimits::depth));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.type = SpecNode::Type::null;
        break;
      case YAML::NodeType::Scalar:
        out.type = SpecNode::Type::scalar;
        out.scalar = node.Scalar();
        out.quoted = node.Tag() == "!";
        break;
      case YAML::NodeType::Sequence:
        out.type = SpecNode::Type::sequence;
        for (const auto& item : node) out.items.push_back(convert(item, depth + 1));
        break;
      case YAML::NodeType::Map:
        out.type = SpecNode::Type::map;
        // Each key's place in out.fields: a hostile spec of 100,000 keys is checked in linear
        // time (comparing each key with every earlier one took seconds).
        std::unordered_map<std::string, size_t> seen;
        for (const auto& entry : node) {
          SpecNode value = convert(entry.second, depth + 1);
          value.key_location = location_of(entry.first.Mark(), source_);
          // An empty value ("key:") has no mark of its own; point at its key.
          if (value.location.line == 0) value.location = value.key_location;
          std::string key = entry.first.as<std::string>();
          // yaml-cpp keeps both entries of a repeated key and every lookup finds the first, so
          // the second would be dropped without a word: YAML allows each key once.
          if (const auto earlier = seen.find(key); earlier != seen.end())
            throw SpecSyntaxError(
                value.key_location,
                fmt::format("key '{}' appears twice in one map (first at line {}); each key may "
                            "be given once",
                            key, out.fields[earlier->second].second.key_location.line));
          seen.emplace(key, out.fields.size());
          out.fields.emplace_back(std::move(key), std::move(value));
        }
        break;
    }
    return out;
  }

 private:
  Source source_;
  size_t nodes_ = 0;
};

// The digits of `s` from `i` on: their end. (Hand scans, as std::regex recurses once per
// character matched and overflows the stack on a scalar of a few hundred thousand digits.)
size_t digits_end(const std::string& s, size_t i) {
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i;
}

size_t after_sign(const std::string& s) { return !s.empty() && (s[0] == '-' || s[0] == '+'); }

// YAML 1.2 core schema: [-+]?[0-9]+
bool is_integer(const std::string& s) {
  size_t begin = after_sign(s);
  return s.size() > begin && digits_end(s, begin) == s.size();
}

// YAML 1.2 core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_decimal(const std::string& s) {
  size_t i = after_sign(s), start = i;
  i = digits_end(s, i);
  bool whole = i > start;
  if (i < s.size() && s[i] == '.') {
    size_t fraction = ++i;
    i = digits_end(s, i);
    if (!whole && i == fraction) return false;
  } else if (!whole) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exponent = i;
    i = digits_end(s, i);
    if (i == exponent) return false;
  }
  return i == s.size();
}

std::optional<Value> scalar_value(const SpecNode& node) {
  const std::string& s = node.scalar;
  if (node.quoted) return Value(s);
  if (s == "true" || s == "True" || s == "TRUE") return Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value(false);
  if (is_integer(s)) {
    std::int64_t v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return Value(v);
    return Value(s);  // out of range: leave it to the schema check to reject
  }
  std::string unsigned_s = s.substr(after_sign(s));
  if (unsigned_s == ".inf" || unsigned_s == ".Inf" || unsigned_s == ".INF")
    return Value(s[0] == '-' ? -INFINITY : INFINITY);
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return Value(NAN);
  if (is_decimal(s)) {
    double v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return Value(v);
    return Value(s);  // out of range (1e999): leave it to the schema check to reject
  }
  return Value(s);
}

// Lists are typed by their most general element: ints < numbers < strings.
std::optional<Value> sequence_value(const SpecNode& node) {
  std::vector<Value> items;
  bool all_int = true, all_number = true;
  for (const SpecNode& item : node.items) {
    if (!item.is_scalar()) return std::nullopt;
    Value v = *scalar_value(item);
    all_int = all_int && std::holds_alternative<std::int64_t>(v);
    all_number = all_number &&
                 (std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v));
    items.push_back(v);
  }
  if (all_int) {
    std::vector<std::int64_t> out;
    for (const Value& v : items) out.push_back(std::get<std::int64_t>(v));
    return Value(out);
  }
  if (all_number) {
    std::vector<double> out;
    for (const Value& v : items)
      out.push_back(std::holds_alternative<double>(v) ? std::get<double>(v)
                                                      : double(std::get<std::int64_t>(v)));
    return Value(out);
  }
  std::vector<std::string> out;
  for (const SpecNode& item : node.items) out.push_back(item.scalar);
  return Value(out);
}

void emit(YAML::Emitter& out, const SpecNode& node) {
  switch (node.type) {
    case SpecNode::Type::null:
      out << YAML::Null;
      break;
    case SpecNode::Type::scalar:
      if (node.quoted) out << YAML::DoubleQuoted;
      out << node.scalar;
      break;
    case SpecNode::Type::sequence: {
      bool flat = true;
      for (const SpecNode& item : node.items) flat = flat && item.is_scalar();
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const SpecNode& item : node.items) emit(out, item);
      out << YAML::EndSeq;
      break;
    }
    case SpecNode::Type::map:
      out << YAML::BeginMap;
      for (const auto& [key, value] : node.fields) {
        out << YAML::Key << key << YAML::Value;
        emit(out, value);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

std::string Location::text() const {
  std::string where = origin ? *origin : std::string("<spec>");
  if (line == 0) return where;
  return fmt::format("{}:{}:{}", where, line, column);
}

SpecNode::SpecNode() = default;
SpecNode::SpecNode(const SpecNode&) = default;
SpecNode::SpecNode(SpecNode&&) noexcept = default;
SpecNode& SpecNode::operator=(const SpecNode&) = default;
SpecNode& SpecNode::operator=(SpecNode&&) noexcept = default;
SpecNode::~SpecNode() = default;

const SpecNode* SpecNode::find(const std::string& key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

SpecNode* SpecNode::find(const std::string& key) {
  for (auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

SpecNode& SpecNode::set(const std::string& key, SpecNode value) {
  if (SpecNode* existing = find(key)) return *existing = std::move(value);
  fields.emplace_back(key, std::move(value));
  return fields.back().second;
}

SpecNode SpecNode::make_scalar(std::string text, Location where) {
  SpecNode n;
  n.type = Type::scalar;
  n.scalar = std::move(text);
  n.location = std::move(where);
  return n;
}

SpecNode SpecNode::make_map(Location where) {
  SpecNode n;
  n.type = Type::map;
  n.location = std::move(where);
  return n;
}

SpecNode parse_yaml(const std::string& text, const std::string& origin,
                    const ExpandedText* expanded) {
  Source source{std::make_shared<const std::string>(origin), expanded};
  try {
    return Converter(source).convert(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    throw SpecSyntaxError(location_of(e.mark, source), e.msg);
  }
}

std::optional<Value> to_value(const SpecNode& node) {
  switch (node.type) {
    case SpecNode::Type::null:
      return Value();
    case SpecNode::Type::scalar:
      return scalar_value(node);
    case SpecNode::Type::sequence:
      return sequence_value(node);
    case SpecNode::Type::map: {
      StringMap out;
      for (const auto& [k, v] : node.fields) {
        if (!v.is_scalar()) return std::nullopt;
        out[k] = v.scalar;
      }
      return Value(out);
    }
  }
  return std::nullopt;
}

SpecNode from_value(const Value& value) {
  SpecNode node;
  if (std::holds_alternative<std::monostate>(value)) return node;
  if (const auto* map = std::get_if<StringMap>(&value)) {
    node.type = SpecNode::Type::map;
    for (const auto& [k, v] : *map) node.fields.emplace_back(k, SpecNode::make_scalar(v));
    return node;
  }
  auto list = [&node](const auto& items) {
    node.type = SpecNode::Type::sequence;
    for (const auto& item : items) node.items.push_back(from_value(Value(item)));
  };
  if (const auto* v = std::get_if<std::vector<std::int64_t>>(&value))
    list(*v);
  else if (const auto* v = std::get_if<std::vector<double>>(&value))
    list(*v);
  else if (const auto* v = std::get_if<std::vector<std::string>>(&value))
    list(*v);
  else if (const auto* s = std::get_if<std::string>(&value)) {
    node = SpecNode::make_scalar(*s);
    node.quoted = !std::holds_alternative<std::string>(*scalar_value(node));
  } else {
    node = SpecNode::make_scalar(to_string(value));
  }
  return node;
}

std::string to_yaml(const SpecNode& node) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, node);
  return std::string(out.c_str()) + "\n";
}

}  // namespace ferlab::spec
