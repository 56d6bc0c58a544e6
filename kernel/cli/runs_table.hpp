// The tables of `ferlab runs` (and of the end of `ferlab run`): one row per run, and one row
// per variant aggregated over its finished runs (seeds x folds) as mean ± sd. Accuracies are
// percentages; every column names its split, and the test columns their TTA mode.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/run_queries.hpp"
#include "text_table.hpp"

namespace ferlab::cli {

// Which test evaluations the tables show: one checkpoint, one column per TTA mode.
struct TestColumns {
  std::string checkpoint = "best";  // or "last"
  std::vector<std::string> tta;     // "none" first, then the others by name
};

// Every TTA mode the runs were tested with at `checkpoint`, or only `tta` when given. Throws
// std::runtime_error when no run has the requested evaluation.
TestColumns test_columns(const std::vector<storage::RunRow>& runs,
                         const std::string& checkpoint = "best",
                         const std::optional<std::string>& tta = std::nullopt);

TextTable runs_table(const std::vector<storage::RunRow>& runs, const TestColumns& test);

// Whether some variant has two or more finished runs: only then does the variant table say
// more than the run rows.
bool some_variant_repeated(const std::vector<storage::RunRow>& runs);

// What the variant table shows: which runs, split, checkpoint and TTA modes.
std::string variants_heading(const TestColumns& test);

TextTable variants_table(storage::Database& db, const std::optional<std::string>& experiment,
                         const TestColumns& test);

// runs_table of every evaluation of the best checkpoint, as plain text on standard output.
void print_runs_table(const std::vector<storage::RunRow>& runs);

}  // namespace ferlab::cli
