// The search section, for an experiment with a search: block: its trials ranked on validation
// accuracy with the values drawn for them, that accuracy against each searched number, and how
// far each trial trained (the rungs of a halving search). Validation figures only: a search
// decides on them, and the test split stays for the winner.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "report/html_text.hpp"
#include "report/sections.hpp"
#include "search/ranking.hpp"

namespace ferlab::report {
namespace {

struct Trial {
  int number = 0;
  std::vector<const RunData*> runs;
  std::map<std::string, std::string> params;  // of its first run
  double val = NAN;                           // mean best val accuracy over its runs
  int epochs = 0;                             // the most epochs one of its runs trained
  std::string status;
};

std::vector<Trial> trials_of(const ReportData& data) {
  std::map<int, Trial> by_number;
  for (const RunData& run : data.runs) {
    auto found = std::find_if(run.params.begin(), run.params.end(),
                              [](const auto& p) { return p.first == "search.trial"; });
    if (found == run.params.end()) continue;
    Trial& t = by_number[std::stoi(found->second)];
    t.number = std::stoi(found->second);
    if (t.runs.empty()) t.params = {run.params.begin(), run.params.end()};
    t.runs.push_back(&run);
  }
  std::vector<Trial> out;
  for (auto& [number, t] : by_number) {
    double sum = 0;
    bool all = true;
    for (const RunData* r : t.runs) {
      all = all && r->row.best_val_accuracy.has_value();
      sum += r->row.best_val_accuracy.value_or(0);
      for (const EpochPoint& e : r->epochs) t.epochs = std::max(t.epochs, e.epoch);
    }
    if (all) t.val = sum / static_cast<double>(t.runs.size());
    const storage::RunRow& first = t.runs.front()->row;
    t.status = first.status == "finished"                             ? "finished"
               : first.error.starts_with(search::not_promoted_reason) ? "not promoted"
                                                                      : first.status;
    out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(), [](const Trial& a, const Trial& b) {
    return (std::isnan(b.val) ? -1 : b.val) < (std::isnan(a.val) ? -1 : a.val);
  });
  return out;
}

std::optional<double> as_number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double x = std::stod(text, &used);
    if (used == text.size() && std::isfinite(x)) return x;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Validation accuracy against one searched number; a log axis where the values are positive
// and span more than a decade (as a log-uniform distribution draws them).
std::string scatter(const std::string& key, const std::vector<Trial>& trials) {
  std::vector<std::pair<double, double>> points;
  for (const Trial& t : trials) {
    auto x = t.params.count(key) ? as_number(t.params.at(key)) : std::nullopt;
    if (!x || std::isnan(t.val)) continue;
    points.emplace_back(*x, t.val);
  }
  if (points.size() < 2) return "";
  auto [xmin, xmax] = std::minmax_element(points.begin(), points.end());
  double lo = xmin->first, hi = xmax->first;
  const bool log = lo > 0 && hi / lo > 10;
  const auto fx = [log](double x) { return log ? std::log10(x) : x; };
  double ylo = 1, yhi = 0;
  for (const auto& p : points) ylo = std::min(ylo, p.second), yhi = std::max(yhi, p.second);
  const double w = 300, h = 180, left = 48, bottom = 30;
  const double x0 = fx(lo), x1 = fx(hi) > fx(lo) ? fx(hi) : fx(lo) + 1;
  const double y0 = ylo, y1 = yhi > ylo ? yhi : ylo + 0.01;
  std::string dots;
  for (const auto& [x, y] : points)
    dots += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3.5" fill="#0072b2"/>)",
                        left + (fx(x) - x0) / (x1 - x0) * w, 10 + (y1 - y) / (y1 - y0) * h);
  return fmt::format(
      R"(<figure class="scatter"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" )"
      R"(width="{}" height="{}" role="img" aria-label="val accuracy against {}">)"
      R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/><line x1="{}" y1="10" x2="{}" )"
      R"(y2="{}" stroke="#888"/>{}<text x="{}" y="{}" font-size="11">{}</text>)"
      R"(<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>)"
      R"(<text x="4" y="16" font-size="11">{:.3f}</text><text x="4" y="{}" font-size="11">{:.3f})"
      R"(</text></svg><figcaption>val accuracy against {}{}</figcaption></figure>)",
      w + left + 10, h + bottom + 10, w + left + 10, h + bottom + 10, escape(key), left, h + 10,
      left + w, h + 10, left, left, h + 10, dots, left, h + 26, fmt::format("{:.3g}", lo), left + w,
      h + 26, fmt::format("{:.3g}", hi), y1, h + 10, y0, escape(key), log ? " (log axis)" : "");
}

}  // namespace

std::string search_section(const PageContext& page) {
  const std::vector<Trial> trials = trials_of(page.data);
  if (trials.empty()) return "";
  std::vector<std::map<std::string, std::string>> per_trial;
  for (const Trial& t : trials) per_trial.push_back(t.params);
  const std::vector<std::string> keys = search::varying_keys(per_trial);
  std::string head =
      "<th>rank</th><th>trial</th><th>val accuracy</th><th>runs</th>"
      "<th>epochs</th><th>status</th>";
  for (const std::string& key : keys) head += "<th>" + escape(key) + "</th>";
  std::string rows;
  std::map<int, int> reached;  // epochs -> trials that stopped there
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const Trial& t = trials[i];
    ++reached[t.epochs];
    rows += fmt::format(
        "<tr{}><td>{}</td><td>{}</td><td data-value=\"{}\">{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td>",
        i == 0 ? " class=\"best\"" : "", i + 1, t.number, std::isnan(t.val) ? -1 : t.val,
        std::isnan(t.val) ? "\u2014" : number(t.val), t.runs.size(), t.epochs, escape(t.status));
    for (const std::string& key : keys)
      rows += "<td>" + escape(t.params.count(key) ? t.params.at(key) : "") + "</td>";
    rows += "</tr>";
  }
  std::string rungs;
  for (const auto& [epochs, count] : reached)
    rungs += fmt::format("<li>{} trial{} trained {} epoch{}</li>", count, count == 1 ? "" : "s",
                         epochs, epochs == 1 ? "" : "s");
  std::string plots;
  for (const std::string& key : keys) plots += scatter(key, trials);
  return section(
      "search", "Search",
      fmt::format("<p>{} trials, ranked on validation accuracy (mean over a trial's runs, its "
                  "best epoch so far); the test split took no part. The best trial is marked; "
                  "the comparison and curves above show every trial as a variant.</p>"
                  "<table class=\"sortable\" id=\"search-trials\"><thead><tr>{}</tr></thead>"
                  "<tbody>{}</tbody></table><h3>How far the trials went</h3><ul>{}</ul>"
                  "<div class=\"scatters\">{}</div>",
                  trials.size(), head, rows, rungs, plots));
}

}  // namespace ferlab::report
