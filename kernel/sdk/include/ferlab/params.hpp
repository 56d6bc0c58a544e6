// Parameter schemas (what a plugin accepts) and resolved parameters (what a spec gave it).
#pragma once

#include <ferlab/export.hpp>
#include <ferlab/value.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ferlab {

enum class ParamType {
  boolean,
  integer,
  number,
  string,
  choice,
  int_list,
  number_list,
  string_list,
  string_map
};

FERLAB_API const char* to_string(ParamType type);

// One accepted parameter: name, type, default, range or choices, one-line doc.
struct ParamSpec {
  std::string name;
  ParamType type = ParamType::string;
  Value default_value;               // std::monostate means "required"
  std::optional<double> min, max;    // inclusive range, for numbers, integers and their lists
  std::vector<std::string> choices;  // for ParamType::choice
  std::string doc;

  bool required() const { return std::holds_alternative<std::monostate>(default_value); }
};

using Schema = std::vector<ParamSpec>;

// Short builders so a plugin's schema reads like a table.
namespace param {
FERLAB_API ParamSpec flag(std::string name, bool def, std::string doc);
FERLAB_API ParamSpec integer(std::string name, std::optional<std::int64_t> def,
                             std::optional<double> min, std::optional<double> max, std::string doc);
FERLAB_API ParamSpec number(std::string name, std::optional<double> def, std::optional<double> min,
                            std::optional<double> max, std::string doc);
FERLAB_API ParamSpec text(std::string name, std::optional<std::string> def, std::string doc);
FERLAB_API ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices,
                            std::string doc);
FERLAB_API ParamSpec int_list(std::string name, std::vector<std::int64_t> def,
                              std::optional<double> min, std::optional<double> max,
                              std::string doc);
FERLAB_API ParamSpec number_list(std::string name, std::vector<double> def,
                                 std::optional<double> min, std::optional<double> max,
                                 std::string doc);
FERLAB_API ParamSpec string_list(std::string name, std::vector<std::string> def, std::string doc);
FERLAB_API ParamSpec string_map(std::string name, std::string doc);
}  // namespace param

// Resolved parameters: every key of the schema present, defaults filled in, types checked.
class FERLAB_API Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, Value> values) : values_(std::move(values)) {}

  bool has(const std::string& name) const;
  const Value& at(const std::string& name) const;  // throws std::out_of_range naming the key

  bool flag(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;
  double number(const std::string& name) const;  // accepts integers too
  const std::string& text(const std::string& name) const;
  std::vector<std::int64_t> ints(const std::string& name) const;
  std::vector<double> numbers(const std::string& name) const;
  std::vector<std::string> strings(const std::string& name) const;
  StringMap string_map(const std::string& name) const;

  const std::map<std::string, Value>& values() const { return values_; }
  void set(const std::string& name, Value value) { values_[name] = std::move(value); }

 private:
  std::map<std::string, Value> values_;
};

}  // namespace ferlab
