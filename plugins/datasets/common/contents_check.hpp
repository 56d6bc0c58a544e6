// The checks every file-based dataset makes before training starts.
#pragma once

#include <ferlab/events.hpp>
#include <ferlab/sample.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace datasets {

// An empty split, or a class without a single training image, is an error naming it; a class
// absent from val or test only warns (small data sets may not have one of each there).
inline void check_contents(const ferlab::DatasetContents& contents, const std::string& plugin,
                           ferlab::EventSink& events) {
  for (const char* split : {"train", "val", "test"}) {
    auto it = contents.splits.find(split);
    if (it == contents.splits.end() || it->second.empty())
      throw std::runtime_error(plugin + ": split '" + split + "' has no images");
    std::vector<int> counts(contents.classes.size(), 0);
    for (const ferlab::Sample& s : it->second) ++counts.at(s.label);
    for (size_t c = 0; c < counts.size(); ++c) {
      if (counts[c] > 0) continue;
      std::string what =
          "class '" + contents.classes[c] + "' has no images in split '" + split + "'";
      if (std::string(split) == "train") throw std::runtime_error(plugin + ": " + what);
      events.warn("empty-class", plugin + ": " + what);
    }
  }
}

}  // namespace datasets
