// The page around the sections: head, style, navigation, script.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "report/html_text.hpp"
#include "report/report.hpp"
#include "report/sections.hpp"

namespace ferlab::report {
namespace {

const char* style = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24;
       margin: 0; background: #f6f7f9; }
header { background: #1f3a5f; color: #fff; padding: 14px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; opacity: .85; }
nav a { color: #cfe3ff; margin-right: 14px; text-decoration: none; }
nav a:hover { text-decoration: underline; }
main { padding: 8px 28px 40px; max-width: 1500px; }
section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; margin: 18px 0;
          padding: 6px 20px 16px; overflow-x: auto; }
h2 { font-size: 19px; border-bottom: 1px solid #e5e8ec; padding-bottom: 6px; }
h3 { font-size: 15px; margin: 18px 0 8px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid #e1e4e8; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #eef1f5; }
table.sortable thead th { cursor: pointer; user-select: none; }
table.sortable thead th[data-sort="asc"]::after { content: " \25B2"; }
table.sortable thead th[data-sort="desc"]::after { content: " \25BC"; }
td.best { background: #e3f4e1; font-weight: 600; }
span.best { background: #e3f4e1; font-weight: 600; padding: 0 3px; }
.ci { display: block; color: #5b6470; font-size: 12px; font-weight: normal; }
tr.status-failed td, tr.status-interrupted td { background: #fdecea; }
tr.status-running td { background: #fff8e1; }
td.error { color: #a12622; max-width: 480px; white-space: pre-wrap; }
.problems { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; padding: 8px 14px; }
tr.differs th, tr.differs td { background: #fff4d6; }
#spec-params.differences-only tr.same { display: none; }
.toggle { display: inline-block; margin: 4px 0; }
pre { background: #f3f4f6; padding: 10px; overflow-x: auto; font-size: 12px; }
.note { color: #4a525c; font-size: 13px; }
.missing { color: #8a6d00; }
.charts { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
svg text { font-family: system-ui, sans-serif; }
svg .chart-title { font-size: 13px; font-weight: 600; }
svg .tick { font-size: 11px; fill: #333; }
.legend { margin: 6px 0; }
.legend-item { display: inline-block; margin-right: 18px; font-size: 13px; }
.swatch { display: inline-block; width: 14px; height: 4px; margin: 0 6px 3px 0; }
svg .axis-label { font-size: 12px; fill: #333; }
svg .cell { font-size: 11px; }
svg .grid { stroke: #e6e8eb; }
svg .frame { fill: none; stroke: #9aa3ad; }
.images { display: flex; flex-wrap: wrap; gap: 10px; }
figure { margin: 0; text-align: center; font-size: 12px; }
figure.thumb img { width: 96px; height: 96px; image-rendering: pixelated; }
figure.preview img { width: 400px; image-rendering: pixelated; }
figcaption { max-width: 140px; margin: auto; }
figure.preview figcaption { max-width: 520px; }
ul.conclusions li { margin: 4px 0; font-size: 15px; }
)css";

const char* script = R"js(
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, column) {
      th.addEventListener("click", function () {
        var ascending = th.getAttribute("data-sort") !== "asc";
        heads.forEach(function (h) { h.removeAttribute("data-sort"); });
        th.setAttribute("data-sort", ascending ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column], y = b.cells[column];
          var vx = x.getAttribute("data-value"), vy = y.getAttribute("data-value");
          var order = vx !== null && vy !== null ? parseFloat(vx) - parseFloat(vy)
              : x.textContent.localeCompare(y.textContent, undefined, { numeric: true });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var differences = document.getElementById("differences-only");
  if (differences) {
    differences.addEventListener("change", function () {
      document.getElementById("spec-params").classList.toggle("differences-only",
                                                              differences.checked);
    });
  }
})();
)js";

std::string navigation(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string links;
  for (const auto& [id, title] : entries) links += "<a href=\"#" + id + "\">" + title + "</a>";
  return "<nav>" + links + "</nav>";
}

}  // namespace

std::string section(const std::string& id, const std::string& title, const std::string& body) {
  return "<section id=\"" + escape(id) + "\"><h2>" + escape(title) + "</h2>" + body +
         "</section>\n";
}

std::string render_report(const ReportData& data, const std::string& source) {
  std::vector<Variant> variants = group_variants(data);
  PageContext page{data, variants};
  std::vector<std::pair<std::string, std::string>> entries = {
      {"summary", "Summary"}, {"comparison", page.comparing() ? "Comparison" : "Results"}};
  std::string body = summary_section(page) + comparison_section(page);
  if (const std::string search = search_section(page); !search.empty()) {
    entries.emplace_back("search", "Search");
    body += search;
  }
  if (const std::string lr_find = lr_find_section(page); !lr_find.empty()) {
    entries.emplace_back("lr-find", "Learning-rate test");
    body += lr_find;
  }
  if (page.comparing()) {
    entries.emplace_back("significance", "Significance");
    body += significance_section(page);
  }
  entries.insert(entries.end(), {{"curves", "Learning curves"},
                                 {"confusion", "Confusion matrices"},
                                 {"examples", "Examples"},
                                 {"gradcam", "What the model looks at"},
                                 {"setup", "Runs and specification"}});
  // Results first; how they were obtained (runs, the spec, data, machine) after them.
  body += curves_section(page) + confusion_section(page) + examples_section(page) +
          gradcam_section(page) + setup_section(page);
  std::string generated =
      fmt::format("{:%Y-%m-%d %H:%M:%S} UTC",
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<link rel=\"icon\" href=\"data:,\"><title>ferlab report: {}</title><style>{}</style>"
      "</head><body><header><h1>ferlab report: {}</h1><p>{} run(s) from {}, generated {}</p>{}"
      "</header><main>\n{}</main><script>{}</script></body></html>\n",
      escape(data.title), style, escape(data.title), data.runs.size(), escape(source), generated,
      navigation(entries), body, script);
}

void write_report(const std::string& db_path, const std::optional<std::string>& experiment,
                  const std::vector<std::int64_t>& run_ids, const std::string& out_path) {
  storage::Database db(db_path, false);
  std::string page = render_report(load_report_data(db, experiment, run_ids), db_path);
  std::ofstream out(out_path, std::ios::binary);
  out << page;
  if (!out.flush()) throw std::runtime_error(out_path + ": cannot write the report");
}

}  // namespace ferlab::report
