// Key paths into a spec ("train.optimizer.lr", "augment.1.degrees"), as --set, sweep: and
// search: name them.
#pragma once

#include <string>
#include <vector>

#include "spec/problems.hpp"
#include "spec/spec_node.hpp"

namespace ferlab::spec {

std::vector<std::string> split_path(const std::string& path);

// Whether a key path names something the kernel schema knows, as far as the kernel's own
// sections go (plugin parameters are checked when each run is validated); records a problem
// at `where` (naming `what`: "--set", "sweep key") when not.
bool check_path(const std::vector<std::string>& segments, const Location& where,
                const std::string& what, ProblemList& problems);

// The node at a path, creating maps on the way. Returns nullptr where a path segment cannot
// apply (an index into a map, an index past the end of a list).
SpecNode* node_at(SpecNode& root, const std::vector<std::string>& segments);

}  // namespace ferlab::spec
