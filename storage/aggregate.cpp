#include "storage/aggregate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace ferlab::storage {
namespace {

using Key = std::pair<std::string, std::string>;  // experiment, variant

// Rows of the finished runs (of experiment ?1 when not NULL), joined with `join`.
std::string over_finished_runs(const std::string& select, const std::string& join,
                               const std::string& rest) {
  return "SELECT " + select + " FROM runs r JOIN experiments e ON e.id = r.experiment_id " + join +
         " WHERE r.status = 'finished' AND (?1 IS NULL OR e.name = ?1) " + rest;
}

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

std::vector<VariantAggregate> aggregate_variants(Database& db,
                                                 const std::optional<std::string>& experiment,
                                                 const std::string& split, const std::string& tta,
                                                 const std::string& checkpoint) {
  std::map<Key, VariantAggregate> by_variant;
  {
    Statement s(
        db, over_finished_runs("e.name, r.variant, count(*)", "", "GROUP BY e.name, r.variant"));
    s.bind(1, experiment);
    while (s.step())
      by_variant[{s.text(0), s.text(1)}] = {
          s.text(0), s.text(1), static_cast<int>(s.integer(2)), {}, {}};
  }
  const std::string evaluation = "AND x.split = ?2 AND x.tta = ?3 AND x.checkpoint = ?4";
  {
    std::map<Key, std::map<std::string, std::vector<double>>> values;
    Statement s(db, over_finished_runs("e.name, r.variant, x.name, x.value",
                                       "JOIN metrics x ON x.run_id = r.id",
                                       evaluation + " AND x.class = -1 ORDER BY r.id"));
    s.bind(1, experiment).bind(2, split).bind(3, tta).bind(4, checkpoint);
    while (s.step()) values[{s.text(0), s.text(1)}][s.text(2)].push_back(s.real(3));
    for (const auto& [key, metrics] : values)
      for (const auto& [name, list] : metrics)
        by_variant[key].metrics.push_back(summarize(name, list));
  }
  {
    Statement s(
        db, over_finished_runs("e.name, r.variant, x.true_class, x.predicted_class, sum(x.count)",
                               "JOIN confusion x ON x.run_id = r.id",
                               evaluation + " GROUP BY e.name, r.variant, x.true_class, "
                                            "x.predicted_class"));
    s.bind(1, experiment).bind(2, split).bind(3, tta).bind(4, checkpoint);
    while (s.step()) {
      auto& m = by_variant[{s.text(0), s.text(1)}].confusion;
      const auto t = static_cast<std::size_t>(s.integer(2)),
                 p = static_cast<std::size_t>(s.integer(3));
      const std::size_t n = std::max({m.size(), t + 1, p + 1});
      m.resize(n);
      for (auto& row : m) row.resize(n, 0);
      m[t][p] = s.integer(4);
    }
  }
  std::vector<VariantAggregate> out;
  for (auto& [key, aggregate] : by_variant) out.push_back(std::move(aggregate));
  return out;
}

}  // namespace ferlab::storage
