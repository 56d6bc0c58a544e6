#include "storage/lr_find_records.hpp"

#include <fmt/format.h>

#include <sstream>

#include "storage/clock.hpp"
#include "storage/schema.hpp"

namespace ferlab::storage {
namespace {

// One line per step: "rate loss smoothed", with every digit a double holds.
std::string curve_text(const LrFindRecord& r) {
  std::string out;
  for (std::size_t i = 0; i < r.rates.size(); ++i)
    out += fmt::format("{} {} {}\n", r.rates[i], r.losses[i], r.smoothed[i]);
  return out;
}

void parse_curve(const std::string& text, LrFindRecord& r, const std::string& where) {
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    double rate = 0, loss = 0, smoothed = 0;
    if (!(fields >> rate >> loss >> smoothed))
      throw StorageError(
          fmt::format("{}, line {} of its curve: expected 'rate loss smoothed', "
                      "got '{}'",
                      where, number, line));
    r.rates.push_back(rate);
    r.losses.push_back(loss);
    r.smoothed.push_back(smoothed);
  }
}

}  // namespace

void record_lr_find(Database& db, const LrFindRecord& r) {
  if (r.losses.size() != r.rates.size() || r.smoothed.size() != r.rates.size())
    throw StorageError(
        fmt::format("{}: a learning-rate test needs as many losses as rates", db.path()));
  migrate(db);
  Transaction t(db);
  Statement experiment(db, "INSERT OR IGNORE INTO experiments(name, created) VALUES (?, ?)");
  experiment.bind(1, r.experiment).bind(2, now_utc()).run();
  Statement add(db, R"sql(
    INSERT INTO lr_finds(experiment_id, variant, created, spec_text, steps, start_rate, end_rate,
                         suggested, minimum, stopped, curve)
    VALUES ((SELECT id FROM experiments WHERE name = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
  add.bind(1, r.experiment).bind(2, r.variant).bind(3, r.created.empty() ? now_utc() : r.created);
  add.bind(4, r.spec_text).bind(5, std::int64_t{r.steps}).bind(6, r.start).bind(7, r.end);
  add.bind(8, r.suggested).bind(9, r.minimum).bind(10, r.stopped).bind(11, curve_text(r));
  add.run();
  t.commit();
}

std::vector<LrFindRecord> lr_finds(Database& db, const std::string& experiment) {
  Statement table(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'lr_finds'");
  if (!table.step()) return {};  // a database older than the table: none recorded
  Statement s(db, R"sql(
    SELECT l.id, l.variant, l.created, coalesce(l.spec_text, ''), l.steps, l.start_rate,
           l.end_rate, l.suggested, l.minimum, coalesce(l.stopped, ''), l.curve
    FROM lr_finds l JOIN experiments e ON e.id = l.experiment_id
    WHERE e.name = ? ORDER BY l.created DESC, l.id DESC)sql");
  s.bind(1, experiment);
  std::vector<LrFindRecord> out;
  while (s.step()) {
    LrFindRecord r;
    r.experiment = experiment;
    r.variant = s.text(1);
    r.created = s.text(2);
    r.spec_text = s.text(3);
    r.steps = static_cast<int>(s.integer(4));
    r.start = s.real(5);
    r.end = s.real(6);
    r.suggested = s.real(7);
    r.minimum = s.real(8);
    r.stopped = s.text(9);
    parse_curve(s.text(10), r, fmt::format("{}: learning-rate test {}", db.path(), s.integer(0)));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ferlab::storage
