// A parameter value as written in a spec: scalar, list or string map.
#pragma once

#include <cstdint>
#include <ferlab/export.hpp>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ferlab {

using StringMap = std::map<std::string, std::string>;
using Value =
    std::variant<std::monostate, bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
                 std::vector<double>, std::vector<std::string>, StringMap>;

// Renders a value the way it would be written in YAML flow style ("[1, 2]", "true", "0.5").
FERLAB_API std::string to_string(const Value& value);

}  // namespace ferlab
