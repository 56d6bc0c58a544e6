// Search paths from the environment (FERLAB_PLUGIN_PATH, FERLAB_MODEL_PATH, FERLAB_CASCADE_PATH).
// Header-only.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

namespace ferlab {

// The non-empty entries of a colon-separated list in environment variable `name`; none when it
// is unset.
inline std::vector<std::string> env_path_list(const char* name) {
  std::vector<std::string> entries;
  const char* value = std::getenv(name);
  if (!value) return entries;
  const std::string list = value;
  for (std::size_t start = 0; start <= list.size();) {
    std::size_t end = list.find(':', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) entries.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return entries;
}

}  // namespace ferlab
