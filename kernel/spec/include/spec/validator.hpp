// Checks one expanded run tree against the kernel's schema and every named plugin's schema,
// and turns it into a RunSpec with every default filled in.
#pragma once

#include "loader/plugin_catalog.hpp"
#include "spec/problems.hpp"
#include "spec/run_spec.hpp"
#include "spec/spec_node.hpp"

namespace ferlab::spec {

// Validates `tree` (one variant, sweep removed). Problems are added to `problems`; the
// returned RunSpec is meaningful only when none were added. `seed` and identity fields are
// left for the caller.
RunSpec validate_run(const SpecNode& tree, const kernel::PluginCatalog& catalog,
                     ProblemList& problems);

}  // namespace ferlab::spec
