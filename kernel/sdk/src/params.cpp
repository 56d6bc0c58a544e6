#include <ferlab/params.hpp>
#include <stdexcept>

namespace ferlab {

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::boolean:
      return "boolean";
    case ParamType::integer:
      return "integer";
    case ParamType::number:
      return "number";
    case ParamType::string:
      return "string";
    case ParamType::choice:
      return "choice";
    case ParamType::int_list:
      return "list of integers";
    case ParamType::number_list:
      return "list of numbers";
    case ParamType::string_list:
      return "list of strings";
    case ParamType::string_map:
      return "map of strings";
  }
  return "?";
}

namespace param {

ParamSpec flag(std::string name, bool def, std::string doc) {
  return {std::move(name), ParamType::boolean, def, {}, {}, {}, std::move(doc)};
}
ParamSpec integer(std::string name, std::optional<std::int64_t> def, std::optional<double> min,
                  std::optional<double> max, std::string doc) {
  Value d = def ? Value(*def) : Value();
  return {std::move(name), ParamType::integer, d, min, max, {}, std::move(doc)};
}
ParamSpec number(std::string name, std::optional<double> def, std::optional<double> min,
                 std::optional<double> max, std::string doc) {
  Value d = def ? Value(*def) : Value();
  return {std::move(name), ParamType::number, d, min, max, {}, std::move(doc)};
}
ParamSpec text(std::string name, std::optional<std::string> def, std::string doc) {
  Value d = def ? Value(*def) : Value();
  return {std::move(name), ParamType::string, d, {}, {}, {}, std::move(doc)};
}
ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices,
                 std::string doc) {
  return {std::move(name),    ParamType::choice, std::move(def), {}, {},
          std::move(choices), std::move(doc)};
}
ParamSpec int_list(std::string name, std::vector<std::int64_t> def, std::optional<double> min,
                   std::optional<double> max, std::string doc) {
  return {std::move(name), ParamType::int_list, std::move(def), min, max, {}, std::move(doc)};
}
ParamSpec number_list(std::string name, std::vector<double> def, std::optional<double> min,
                      std::optional<double> max, std::string doc) {
  return {std::move(name), ParamType::number_list, std::move(def), min, max, {}, std::move(doc)};
}
ParamSpec string_list(std::string name, std::vector<std::string> def, std::string doc) {
  return {std::move(name), ParamType::string_list, std::move(def), {}, {}, {}, std::move(doc)};
}
ParamSpec string_map(std::string name, std::string doc) {
  return {std::move(name), ParamType::string_map, StringMap{}, {}, {}, {}, std::move(doc)};
}

}  // namespace param

namespace {

template <class T>
const T& get_as(const std::map<std::string, Value>& values, const std::string& name,
                const char* expected) {
  auto it = values.find(name);
  if (it == values.end()) throw std::out_of_range("parameter '" + name + "' is not set");
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  throw std::invalid_argument("parameter '" + name + "' is " + to_string(it->second) +
                              ", expected " + expected);
}

}  // namespace

bool Params::has(const std::string& name) const {
  auto it = values_.find(name);
  return it != values_.end() && !std::holds_alternative<std::monostate>(it->second);
}

const Value& Params::at(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::out_of_range("parameter '" + name + "' is not set");
  return it->second;
}

bool Params::flag(const std::string& name) const {
  return get_as<bool>(values_, name, "a boolean");
}
std::int64_t Params::integer(const std::string& name) const {
  return get_as<std::int64_t>(values_, name, "an integer");
}
double Params::number(const std::string& name) const {
  if (const auto* i = std::get_if<std::int64_t>(&at(name))) return static_cast<double>(*i);
  return get_as<double>(values_, name, "a number");
}
const std::string& Params::text(const std::string& name) const {
  return get_as<std::string>(values_, name, "a string");
}
std::vector<std::int64_t> Params::ints(const std::string& name) const {
  return get_as<std::vector<std::int64_t>>(values_, name, "a list of integers");
}
std::vector<double> Params::numbers(const std::string& name) const {
  if (const auto* i = std::get_if<std::vector<std::int64_t>>(&at(name)))
    return std::vector<double>(i->begin(), i->end());
  return get_as<std::vector<double>>(values_, name, "a list of numbers");
}
std::vector<std::string> Params::strings(const std::string& name) const {
  return get_as<std::vector<std::string>>(values_, name, "a list of strings");
}
StringMap Params::string_map(const std::string& name) const {
  return get_as<StringMap>(values_, name, "a map of strings");
}

}  // namespace ferlab
