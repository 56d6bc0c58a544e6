#include "runs_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "storage/aggregate.hpp"
#include "storage/run_status.hpp"

namespace ferlab::cli {
namespace {

std::string percent(double x) { return fmt::format("{:.2f}", 100 * x); }

std::string percent(const std::optional<double>& x) { return x ? percent(*x) : "-"; }

std::string duration(double seconds) {
  return seconds < 120 ? fmt::format("{:.0f}s", seconds) : fmt::format("{:.1f} min", seconds / 60);
}

// "test acc %", "test acc % (ten-crop)"; "(no TTA)" as soon as another mode is beside it, and
// the checkpoint when it is not the one selected on val.
std::string test_title(const std::string& what, const TestColumns& test, const std::string& tta) {
  std::string title = "test " + what + " %";
  if (test.checkpoint != "best") title += " " + test.checkpoint;
  if (tta != "none") return title + " (" + tta + ")";
  return test.tta.size() > 1 ? title + " (no TTA)" : title;
}

// "71.23 ± 0.41" over several runs, "71.23" for one, "-" for none.
std::string spread(const storage::MetricSummary& m) {
  if (m.n == 0) return "-";
  return m.n > 1 ? fmt::format("{} ± {}", percent(m.mean), percent(m.sd)) : percent(m.mean);
}

storage::MetricSummary metric(const storage::VariantAggregate* v, const std::string& name) {
  if (v)
    for (const storage::MetricSummary& m : v->metrics)
      if (m.name == name) return m;
  return {};
}

const storage::VariantAggregate* find(const std::vector<storage::VariantAggregate>& list,
                                      const storage::VariantAggregate& like) {
  for (const auto& v : list)
    if (v.experiment == like.experiment && v.variant == like.variant) return &v;
  return nullptr;
}

std::string variant_cell(const std::string& variant) { return variant.empty() ? "-" : variant; }

}  // namespace

TestColumns test_columns(const std::vector<storage::RunRow>& runs, const std::string& checkpoint,
                         const std::optional<std::string>& tta) {
  std::set<std::string> modes;
  for (const storage::RunRow& r : runs)
    for (const auto& [evaluation, accuracy] : r.test_accuracy_by)
      if (evaluation.first == checkpoint) modes.insert(evaluation.second);
  TestColumns test{checkpoint, {}};
  if (tta) {
    if (!modes.empty() && !modes.count(*tta))
      throw std::runtime_error(
          fmt::format("--tta {}: no run was tested with it at the {} checkpoint (recorded: {})",
                      *tta, checkpoint, fmt::join(modes, ", ")));
    test.tta = {*tta};
    return test;
  }
  // Without any test evaluation yet (runs still training) the column is there, empty.
  if (modes.count("none") || modes.empty()) test.tta.push_back("none");
  for (const std::string& m : modes)
    if (m != "none") test.tta.push_back(m);
  return test;
}

TextTable runs_table(const std::vector<storage::RunRow>& runs, const TestColumns& test) {
  const bool folds =
      std::any_of(runs.begin(), runs.end(), [](auto& r) { return r.fold.has_value(); });
  // Runs merged from several machines (`ferlab slurm`, `db merge`) say where each ran.
  const bool hosts =
      std::any_of(runs.begin(), runs.end(), [&](auto& r) { return r.host != runs.front().host; });
  TextTable t;
  t.columns = {{"run", true}, {"experiment"}, {"variant"}};
  if (folds) t.columns.push_back({"fold"});
  if (hosts) t.columns.push_back({"host"});
  t.columns.insert(t.columns.end(), {{"seed", true}, {"status"}, {"best val acc %", true}});
  for (const std::string& tta : test.tta) t.columns.push_back({test_title("acc", test, tta), true});
  t.columns.insert(t.columns.end(), {{"train time", true}, {"time", true}});
  for (const storage::RunRow& r : runs) {
    TextTable::Row row;
    row.cells = {std::to_string(r.id), r.experiment, variant_cell(r.variant)};
    if (folds) row.cells.push_back(r.fold.value_or("-"));
    if (hosts) row.cells.push_back(r.host.empty() ? "-" : r.host);
    row.cells.insert(row.cells.end(),
                     {std::to_string(r.seed), r.status, percent(r.best_val_accuracy)});
    for (const std::string& tta : test.tta) {
      auto it = r.test_accuracy_by.find({test.checkpoint, tta});
      row.cells.push_back(it == r.test_accuracy_by.end() ? "-" : percent(it->second));
    }
    row.cells.push_back(r.train_seconds > 0 ? duration(r.train_seconds) : "-");
    row.cells.push_back(r.seconds ? duration(*r.seconds) : "-");
    if (!r.error.empty()) row.note = "error: " + r.error;
    t.rows.push_back(std::move(row));
  }
  return t;
}

bool some_variant_repeated(const std::vector<storage::RunRow>& runs) {
  std::map<std::pair<std::string, std::string>, int> finished;
  for (const storage::RunRow& r : runs)
    if (storage::parse_status(r.status) == storage::RunStatus::finished &&
        ++finished[{r.experiment, storage::variant_over_folds(r.variant, r.fold)}] >= 2)
      return true;
  return false;
}

std::string variants_heading(const TestColumns& test) {
  std::string modes;
  for (const std::string& tta : test.tta)
    modes += (modes.empty() ? "" : " and ") + (tta == "none" ? std::string("no TTA") : tta);
  return fmt::format(
      "Per variant: mean ± sd over its runs that ended normally (seeds × folds); test split, "
      "{} checkpoint{}, {}.",
      test.checkpoint, test.checkpoint == "best" ? " (selected on val)" : "", modes);
}

TextTable variants_table(storage::Database& db, const std::optional<std::string>& experiment,
                         const TestColumns& test) {
  std::vector<std::vector<storage::VariantAggregate>> by_tta;
  for (const std::string& tta : test.tta)
    by_tta.push_back(storage::aggregate_variants(db, experiment, "test", tta, test.checkpoint));
  TextTable t;
  t.columns = {{"experiment"}, {"variant"}, {"runs", true}};
  for (const char* what : {"acc", "macro-F1"})
    for (const std::string& tta : test.tta)
      t.columns.push_back({test_title(what, test, tta), true});
  t.columns.push_back({"best val acc %", true});
  // Every variant with a finished run is in each list, evaluated or not.
  for (const storage::VariantAggregate& v : by_tta.front()) {
    TextTable::Row row;
    row.cells = {v.experiment, variant_cell(v.variant), std::to_string(v.runs)};
    for (const char* name : {"accuracy", "macro_f1"})
      for (const auto& list : by_tta) row.cells.push_back(spread(metric(find(list, v), name)));
    row.cells.push_back(spread(v.best_val_accuracy));
    t.rows.push_back(std::move(row));
  }
  return t;
}

void print_runs_table(const std::vector<storage::RunRow>& runs) {
  fmt::print("{}", render(runs_table(runs, test_columns(runs)), TableFormat::plain));
}

}  // namespace ferlab::cli
