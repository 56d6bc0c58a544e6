// Bounds on what a spec may make ferlab read, build and expand. A spec comes from colleagues,
// papers and the internet: a hostile one (an alias bomb, a huge sweep) must fail fast with an
// error naming the limit, never exhaust memory. The defaults are far above any real spec
// (experiments/ holds specs of 20-60 lines, of a few hundred nodes once expanded).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "spec/spec_node.hpp"

namespace ferlab::spec {

struct SpecLimits {
  static constexpr size_t file_bytes = 1 << 20;   // the spec file, and its text after ${VAR}s
  static constexpr size_t nodes = 100'000;        // YAML nodes with every alias expanded
  static constexpr int depth = 64;                // nesting of maps and lists
  static constexpr size_t runs = 10'000;          // runs after the sweep and the seeds
  static constexpr size_t run_nodes = 2'000'000;  // nodes over all the expanded runs
};

// A limit exceeded: `where` points at the text that crossed it, detail names the limit.
struct SpecLimitError : std::runtime_error {
  SpecLimitError(Location where, const std::string& detail)
      : std::runtime_error(where.text() + ": " + detail), where(std::move(where)), detail(detail) {}
  Location where;
  std::string detail;
};

}  // namespace ferlab::spec
