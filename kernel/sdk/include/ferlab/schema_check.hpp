// Checking values against a plugin's parameter schema, and the schema itself: what ferlab does
// with a spec's parameters, exported so that a plugin's own tests can do the same
// (ferlab/testing.hpp creates plugin objects through resolve_params).
#pragma once

#include <cstddef>
#include <ferlab/export.hpp>
#include <ferlab/params.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ferlab {

// Problems in a schema as a plugin declared it (bad defaults, duplicate names, empty choices).
FERLAB_API std::vector<std::string> check_schema(const Schema& schema);

// Converts `value` to the schema's type (an integer where a number is expected, a single
// string to a choice), checking ranges and choices. On failure returns nullopt and sets
// `expected` to what would have been accepted ("an integer in [1, 512]").
FERLAB_API std::optional<Value> coerce(const Value& value, const ParamSpec& spec,
                                       std::string& expected);

// Describes what a parameter accepts: "an integer in [1, 512]", "one of: a, b, c".
FERLAB_API std::string describe_expected(const ParamSpec& spec);

// Resolves parameters given in C++ (backbones building layers): every key must be in the
// schema, required ones present, defaults filled in. Problems are appended, each naming its key.
FERLAB_API Params resolve_params(const Schema& schema, const Params& given,
                                 std::vector<std::string>& problems);

// Levenshtein distance between two strings.
FERLAB_API std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate closest to `word` if it is close enough to be a plausible typo, else "".
FERLAB_API std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" when nothing is close.
FERLAB_API std::string did_you_mean(const std::string& word,
                                    const std::vector<std::string>& candidates);

}  // namespace ferlab
