// Small text helpers shared by messages and listings.
#pragma once

#include <string>
#include <vector>

namespace ferlab::kernel {

// "a, b, c" for join({"a", "b", "c"}, ", ").
inline std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace ferlab::kernel
