// The table of runs printed by `ferlab runs` and at the end of `ferlab run`.
#pragma once

#include <vector>

#include "storage/run_queries.hpp"

namespace ferlab::cli {

void print_runs_table(const std::vector<storage::RunRow>& runs);

}  // namespace ferlab::cli
