#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ferlab/schema_check.hpp>
#include <set>

namespace ferlab {
namespace {

std::string range_text(const ParamSpec& spec) {
  auto bound = [](std::optional<double> b) { return b ? fmt::format("{}", *b) : std::string(); };
  if (spec.min && spec.max) return fmt::format(" in [{}, {}]", bound(spec.min), bound(spec.max));
  if (spec.min) return fmt::format(" >= {}", bound(spec.min));
  if (spec.max) return fmt::format(" <= {}", bound(spec.max));
  return "";
}

bool in_range(double x, const ParamSpec& spec) {
  return std::isfinite(x) && (!spec.min || x >= *spec.min) && (!spec.max || x <= *spec.max);
}

std::optional<std::int64_t> as_integer(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  return std::nullopt;
}

std::optional<double> as_number(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

// A list may be written as a single scalar where one element is meant: `widths: 64`.
template <class T, class Convert>
std::optional<std::vector<T>> as_list(const Value& v, Convert convert) {
  std::vector<T> out;
  auto add = [&](const Value& item) {
    auto x = convert(item);
    if (!x) return false;
    out.push_back(*x);
    return true;
  };
  if (const auto* ints = std::get_if<std::vector<std::int64_t>>(&v)) {
    for (auto i : *ints)
      if (!add(Value(i))) return std::nullopt;
  } else if (const auto* nums = std::get_if<std::vector<double>>(&v)) {
    for (auto d : *nums)
      if (!add(Value(d))) return std::nullopt;
  } else if (const auto* strs = std::get_if<std::vector<std::string>>(&v)) {
    for (const auto& s : *strs)
      if (!add(Value(s))) return std::nullopt;
  } else if (!add(v)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::string describe_expected(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::boolean:
      return "a boolean (true or false)";
    case ParamType::integer:
      return "an integer" + range_text(spec);
    case ParamType::number:
      return "a number" + range_text(spec);
    case ParamType::string:
      return "a string";
    case ParamType::choice:
      return fmt::format("one of: {}", fmt::join(spec.choices, ", "));
    case ParamType::int_list:
      return "a list of integers" + range_text(spec);
    case ParamType::number_list:
      return "a list of numbers" + range_text(spec);
    case ParamType::string_list:
      return spec.choices.empty() ? "a list of strings"
                                  : fmt::format("a list of: {}", fmt::join(spec.choices, ", "));
    case ParamType::string_map:
      return "a map of strings to strings";
  }
  return "?";
}

namespace {

std::optional<std::string> any_string(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

bool is_choice(const ParamSpec& spec, const std::string& s) {
  return std::find(spec.choices.begin(), spec.choices.end(), s) != spec.choices.end();
}

// The text types: string, choice and string list.
std::optional<Value> coerce_text(const Value& value, const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::string:
      if (auto s = any_string(value)) return Value(*s);
      // Plain numbers are fine where a string is expected (a path called 2024, a fold "3/10").
      if (auto x = as_number(value)) return Value(to_string(value));
      return std::nullopt;
    case ParamType::choice: {
      // Choices are strings, but `depth: 18` must match the choice "18" as written.
      std::optional<std::string> s = any_string(value);
      if (!s && as_number(value)) s = to_string(value);
      if (s && is_choice(spec, *s)) return Value(*s);
      return std::nullopt;
    }
    case ParamType::string_list: {
      auto allowed = [&](const Value& v) -> std::optional<std::string> {
        auto s = any_string(v);
        if (s && !spec.choices.empty() && !is_choice(spec, *s)) return std::nullopt;
        return s;
      };
      if (auto l = as_list<std::string>(value, allowed)) return Value(*l);
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<Value> coerce(const Value& value, const ParamSpec& spec, std::string& expected) {
  expected = describe_expected(spec);
  auto checked_number = [&](const Value& v) -> std::optional<double> {
    auto x = as_number(v);
    return x && in_range(*x, spec) ? x : std::nullopt;
  };
  auto checked_integer = [&](const Value& v) -> std::optional<std::int64_t> {
    auto x = as_integer(v);
    return x && in_range(static_cast<double>(*x), spec) ? x : std::nullopt;
  };
  switch (spec.type) {
    case ParamType::boolean:
      if (std::holds_alternative<bool>(value)) return value;
      return std::nullopt;
    case ParamType::integer:
      if (auto x = checked_integer(value)) return Value(*x);
      return std::nullopt;
    case ParamType::number:
      if (auto x = checked_number(value)) return Value(*x);
      return std::nullopt;
    case ParamType::int_list:
      if (auto l = as_list<std::int64_t>(value, checked_integer)) return Value(*l);
      return std::nullopt;
    case ParamType::number_list:
      if (auto l = as_list<double>(value, checked_number)) return Value(*l);
      return std::nullopt;
    case ParamType::string_map:
      if (std::holds_alternative<StringMap>(value)) return value;
      return std::nullopt;
    case ParamType::string:
    case ParamType::choice:
    case ParamType::string_list:
      return coerce_text(value, spec);
  }
  return std::nullopt;
}

std::vector<std::string> check_schema(const Schema& schema) {
  std::vector<std::string> problems;
  std::set<std::string> names;
  for (const ParamSpec& spec : schema) {
    if (spec.name.empty()) problems.push_back("a parameter without a name");
    if (!names.insert(spec.name).second)
      problems.push_back(fmt::format("parameter '{}' is declared twice", spec.name));
    if (spec.type == ParamType::choice && spec.choices.empty())
      problems.push_back(fmt::format("choice parameter '{}' has no choices", spec.name));
    std::string expected;
    if (!spec.required() && !coerce(spec.default_value, spec, expected))
      problems.push_back(fmt::format("default of '{}' is {}, but the parameter accepts {}",
                                     spec.name, to_string(spec.default_value), expected));
  }
  return problems;
}

Params resolve_params(const Schema& schema, const Params& given,
                      std::vector<std::string>& problems) {
  std::vector<std::string> names;
  for (const ParamSpec& spec : schema) names.push_back(spec.name);
  for (const auto& [key, value] : given.values())
    if (std::find(names.begin(), names.end(), key) == names.end())
      problems.push_back(fmt::format("unknown parameter '{}'{}", key, did_you_mean(key, names)));
  Params resolved;
  for (const ParamSpec& spec : schema) {
    if (!given.has(spec.name)) {
      if (spec.required())
        problems.push_back(fmt::format("missing parameter '{}'", spec.name));
      else
        resolved.set(spec.name, spec.default_value);
      continue;
    }
    std::string expected;
    if (auto v = coerce(given.at(spec.name), spec, expected))
      resolved.set(spec.name, *v);
    else
      problems.push_back(fmt::format("parameter '{}' is {}, expected {}", spec.name,
                                     to_string(given.at(spec.name)), expected));
  }
  return resolved;
}

}  // namespace ferlab
