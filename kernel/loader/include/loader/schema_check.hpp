// Checking values against a plugin's parameter schema, and the schema itself.
#pragma once

#include <ferlab/params.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ferlab::kernel {

// Problems in a schema as a plugin declared it (bad defaults, duplicate names, empty choices).
std::vector<std::string> check_schema(const Schema& schema);

// Converts `value` to the schema's type (an integer where a number is expected, a single
// string to a choice), checking ranges and choices. On failure returns nullopt and sets
// `expected` to what would have been accepted ("an integer in [1, 512]").
std::optional<Value> coerce(const Value& value, const ParamSpec& spec, std::string& expected);

// Describes what a parameter accepts: "an integer in [1, 512]", "one of: a, b, c".
std::string describe_expected(const ParamSpec& spec);

// Resolves parameters given in C++ (backbones building layers): every key must be in the
// schema, required ones present, defaults filled in. Problems are appended, each naming its key.
Params resolve_params(const Schema& schema, const Params& given,
                      std::vector<std::string>& problems);

}  // namespace ferlab::kernel
