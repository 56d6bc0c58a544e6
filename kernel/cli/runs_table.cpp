#include "runs_table.hpp"

#include <fmt/format.h>

namespace ferlab::cli {
namespace {

std::string figure(const std::optional<double>& x, const char* format) {
  return x ? fmt::format(fmt::runtime(format), *x) : "-";
}

}  // namespace

void print_runs_table(const std::vector<storage::RunRow>& runs) {
  // Which split each number is on is part of its column name.
  fmt::print("{:>5}  {:<18} {:<36} {:>6}  {:<11} {:>12} {:>12} {:>9}\n", "run", "experiment",
             "variant", "seed", "status", "best val acc", "test acc", "time");
  for (const storage::RunRow& r : runs) {
    fmt::print("{:>5}  {:<18} {:<36} {:>6}  {:<11} {:>12} {:>12} {:>9}\n", r.id, r.experiment,
               r.variant.empty() ? "-" : r.variant, r.seed, r.status,
               figure(r.best_val_accuracy, "{:.4f}"), figure(r.test_accuracy, "{:.4f}"),
               figure(r.seconds, "{:.0f}s"));
    if (!r.error.empty()) fmt::print("       error: {}\n", r.error);
  }
}

}  // namespace ferlab::cli
