#include "storage/aggregate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "storage/class_index.hpp"
#include "storage/run_queries.hpp"
#include "storage/run_status.hpp"

namespace ferlab::storage {
namespace {

using Key = std::pair<std::string, std::string>;  // experiment, variant over folds

MetricSummary summarize(const std::string& name, const std::vector<double>& values) {
  MetricSummary s{name, 0, 0, static_cast<int>(values.size())};
  for (double v : values) s.mean += v / s.n;
  if (s.n > 1) {
    double squares = 0;
    for (double v : values) squares += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(squares / (s.n - 1));
  }
  return s;
}

}  // namespace

std::string variant_over_folds(const std::string& variant, const std::optional<std::string>& fold) {
  if (!fold) return variant;
  // A whole component of the comma-separated label, not part of a longer value.
  const std::string part = "fold=" + *fold;
  for (std::size_t at = variant.find(part); at != std::string::npos;
       at = variant.find(part, at + 1)) {
    const std::size_t end = at + part.size();
    if ((at > 0 && variant[at - 1] != ',') || (end < variant.size() && variant[end] != ','))
      continue;
    if (end < variant.size()) return variant.substr(0, at) + variant.substr(end + 1);
    return variant.substr(0, at == 0 ? 0 : at - 1);
  }
  return variant;
}

std::vector<VariantAggregate> aggregate_variants(Database& db,
                                                 const std::optional<std::string>& experiment,
                                                 const std::string& split, const std::string& tta,
                                                 const std::string& checkpoint) {
  std::map<std::int64_t, Key> key_of;  // finished run -> its variant
  std::map<Key, VariantAggregate> by_variant;
  std::map<Key, std::vector<double>> best_val;
  for (const RunRow& r : list_runs(db, experiment)) {
    if (parse_status(r.status) != RunStatus::finished) continue;
    const Key key{r.experiment, variant_over_folds(r.variant, r.fold)};
    key_of[r.id] = key;
    VariantAggregate& v = by_variant[key];
    v.experiment = key.first;
    v.variant = key.second;
    ++v.runs;
    if (r.best_val_accuracy) best_val[key].push_back(*r.best_val_accuracy);
  }
  for (const auto& [key, values] : best_val)
    by_variant[key].best_val_accuracy = summarize("best_val_accuracy", values);

  const std::string evaluation = " WHERE split = ?1 AND tta = ?2 AND checkpoint = ?3";
  {
    std::map<Key, std::map<std::string, std::vector<double>>> values;
    Statement s(db, "SELECT run_id, name, value FROM metrics" + evaluation +
                        " AND class = -1 ORDER BY run_id");
    s.bind(1, split).bind(2, tta).bind(3, checkpoint);
    while (s.step()) {
      auto run = key_of.find(s.integer(0));
      if (run != key_of.end()) values[run->second][s.text(1)].push_back(s.real(2));
    }
    for (const auto& [key, metrics] : values)
      for (const auto& [name, list] : metrics)
        by_variant[key].metrics.push_back(summarize(name, list));
  }
  {
    std::map<std::int64_t, std::size_t> classes;  // run -> number of classes recorded
    Statement count(db, "SELECT run_id, count(*) FROM classes GROUP BY run_id");
    while (count.step()) classes[count.integer(0)] = static_cast<std::size_t>(count.integer(1));
    Statement s(db,
                "SELECT run_id, true_class, predicted_class, count FROM confusion" + evaluation);
    s.bind(1, split).bind(2, tta).bind(3, checkpoint);
    while (s.step()) {
      auto run = key_of.find(s.integer(0));
      if (run == key_of.end()) continue;
      auto& m = by_variant[run->second].confusion;
      const std::size_t n_classes = classes[run->first];
      const std::size_t t = class_index(db, run->first, s.integer(1), n_classes),
                        p = class_index(db, run->first, s.integer(2), n_classes);
      const std::size_t n = std::max({m.size(), t + 1, p + 1});
      m.resize(n);
      for (auto& row : m) row.resize(n, 0);
      m[t][p] += s.integer(3);
    }
  }
  std::vector<VariantAggregate> out;
  for (auto& [key, aggregate] : by_variant) out.push_back(std::move(aggregate));
  return out;
}

}  // namespace ferlab::storage
