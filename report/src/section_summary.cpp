// Summary: what was run, on what data, where, how long, and how each run ended.
#include <fmt/format.h>

#include <map>
#include <set>

#include "report/html_text.hpp"
#include "report/sections.hpp"
#include "storage/run_status.hpp"

namespace ferlab::report {
namespace {

std::string facts(const PageContext& page) {
  std::map<std::string, int> statuses;
  double run_seconds = 0;
  std::string first_start, last_end;
  for (const RunData& run : page.data.runs) {
    ++statuses[run.row.status];
    run_seconds += run.row.seconds.value_or(0);
    if (first_start.empty() || run.row.started < first_start) first_start = run.row.started;
    if (run.row.ended > last_end) last_end = run.row.ended;
  }
  std::string status_text;
  for (const auto& [status, count] : statuses)
    status_text += fmt::format("{}{} {}", status_text.empty() ? "" : ", ", count, status);
  std::string rows = fmt::format(
      "<tr><th>experiment</th><td>{}</td></tr><tr><th>runs</th><td>{} ({})</td></tr>"
      "<tr><th>variants</th><td>{}</td></tr>"
      "<tr><th>total time</th><td>{:.1f} s of runs, from {} to {}</td></tr>",
      escape(page.data.title), page.data.runs.size(), escape(status_text), page.variants.size(),
      run_seconds, escape(first_start), escape(last_end.empty() ? "(not ended)" : last_end));
  std::string problems;
  for (const RunData& run : page.data.runs)
    if (storage::parse_status(run.row.status) != storage::RunStatus::finished)
      problems += fmt::format("<li>run {} ({}, seed {}) is <b>{}</b>{}</li>", run.row.id,
                              escape(run.row.variant), run.row.seed, escape(run.row.status),
                              run.row.error.empty() ? "" : ": " + escape(run.row.error));
  if (!problems.empty())
    problems =
        "<div class=\"problems\" id=\"problems\"><b>Not every run finished.</b> Their "
        "figures are left out of the comparison:<ul>" +
        problems + "</ul></div>";
  return "<table class=\"facts\" id=\"summary-facts\">" + rows + "</table>" + problems;
}

std::string runs_table(const PageContext& page) {
  std::string rows;
  for (const RunData& run : page.data.runs) {
    const storage::RunRow& r = run.row;
    rows += fmt::format(
        "<tr class=\"status-{}\" data-run=\"{}\"><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"status\">{}</td><td>{}</td><td data-value=\"{}\">{}</td>"
        "<td data-value=\"{}\">{}</td><td data-value=\"{}\">{}</td><td "
        "class=\"error\">{}</td></tr>",
        escape(r.status), r.id, r.id, escape(r.variant.empty() ? r.experiment : r.variant), r.seed,
        escape(r.status), escape(r.started), r.best_val_accuracy.value_or(-1),
        number(r.best_val_accuracy), r.test_accuracy.value_or(-1), number(r.test_accuracy),
        r.seconds.value_or(-1), number(r.seconds, 1), escape(r.error));
  }
  return "<h3>Runs</h3><table class=\"sortable\" id=\"runs\"><thead><tr><th>run</th>"
         "<th>variant</th><th>seed</th><th>status</th><th>started (UTC)</th>"
         "<th>best val accuracy</th><th>test accuracy (best checkpoint)</th><th>time (s)</th>"
         "<th>error</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

// Parameters per variant; rows whose values differ between variants are marked, and a
// checkbox hides the others.
std::string spec_table(const PageContext& page) {
  std::vector<std::string> keys;
  std::vector<std::map<std::string, std::string>> values;
  for (const Variant& v : page.variants) {
    std::map<std::string, std::string> of_variant;
    for (const auto& [key, value] : v.runs.front()->params) {
      if (key == "seed") continue;  // differs by design; the runs table shows it
      if (!of_variant.count(key) && std::find(keys.begin(), keys.end(), key) == keys.end())
        keys.push_back(key);
      of_variant[key] = value;
    }
    values.push_back(std::move(of_variant));
  }
  std::string head = "<th>parameter</th>";
  for (const Variant& v : page.variants) head += "<th>" + escape(v.label) + "</th>";
  std::string rows;
  for (const std::string& key : keys) {
    std::set<std::string> distinct;
    std::string cells;
    for (const auto& of_variant : values) {
      auto found = of_variant.find(key);
      std::string value = found == of_variant.end() ? "\u2014" : found->second;
      distinct.insert(value);
      cells += "<td>" + escape(value) + "</td>";
    }
    rows += fmt::format("<tr class=\"{}\"><th>{}</th>{}</tr>",
                        distinct.size() > 1 ? "differs" : "same", escape(key), cells);
  }
  std::string spec_text = page.data.runs.front().spec_text;
  const std::string file = "<details><summary>spec file as written (" +
                           escape(page.data.runs.front().spec_file) + ")</summary><pre>" +
                           escape(spec_text) + "</pre></details>";
  // With several variants their differences stay in view; one variant's parameters (60 rows
  // and more) are folded, the results above them being what a reader came for.
  if (!page.comparing())
    return fmt::format(
        "<h3>Specification</h3><details id=\"spec-folded\"><summary>all {} parameters</summary>"
        "<table id=\"spec-params\" class=\"params\"><thead><tr>{}</tr></thead><tbody>{}</tbody>"
        "</table></details>{}",
        keys.size(), head, rows, file);
  return "<h3>Specification</h3><label class=\"toggle\"><input type=\"checkbox\" "
         "id=\"differences-only\" checked> show differences only</label><table "
         "id=\"spec-params\" class=\"params differences-only\"><thead><tr>" +
         head + "</tr></thead><tbody>" + rows + "</tbody></table>" + file;
}

// Samples per class and split, from the row sums of the stored confusion matrices.
std::string class_distribution(const PageContext& page) {
  const RunData* run = nullptr;
  for (const RunData& r : page.data.runs)
    if (!r.confusion.empty()) run = &r;
  if (!run) return "<h3>Dataset</h3><p>No evaluation was recorded, so no class counts.</p>";
  std::string dataset;
  for (const auto& [key, value] : run->params)
    if (key.rfind("dataset.", 0) == 0)
      dataset += escape(key.substr(8)) + " = " + escape(value) + "; ";
  std::string head = "<th>split</th>", rows;
  for (const std::string& name : run->classes) head += "<th>" + escape(name) + "</th>";
  head += "<th>total</th>";
  for (const auto& [key, matrix] : run->confusion) {
    if (key.tta != "none" || key.checkpoint != "best") continue;
    std::string cells;
    std::int64_t total = 0;
    for (const auto& row : matrix) {
      std::int64_t support = 0;
      for (std::int64_t c : row) support += c;
      total += support;
      cells += fmt::format("<td>{}</td>", support);
    }
    rows += fmt::format("<tr data-split=\"{}\"><th>{}</th>{}<td>{}</td></tr>", escape(key.split),
                        escape(key.split), cells, total);
  }
  return "<h3>Dataset</h3><p>" + dataset + "</p><table id=\"class-distribution\"><thead><tr>" +
         head + "</tr></thead><tbody>" + rows +
         "</tbody></table><p class=\"note\">Counts of the evaluated splits (from the stored "
         "confusion matrices); the training split's counts are not stored.</p>";
}

std::string environment(const PageContext& page) {
  std::map<std::string, std::set<std::string>> fields;
  for (const RunData& run : page.data.runs) {
    fields["host"].insert(run.host);
    fields["CPU"].insert(run.cpu);
    fields["threads"].insert(std::to_string(run.threads));
    fields["ferlab"].insert(run.ferlab_version + " (" + run.git_revision + ")");
    fields["oneDNN"].insert(run.onednn_version);
    fields["OpenCV"].insert(run.opencv_version);
    for (const auto& [plugin, version] : run.plugins) fields["plugin " + plugin].insert(version);
  }
  std::string rows;
  for (const auto& [name, set] : fields) {
    std::string joined;
    for (const std::string& v : set) joined += (joined.empty() ? "" : ", ") + escape(v);
    rows += "<tr><th>" + escape(name) + "</th><td>" + joined + "</td></tr>";
  }
  return "<h3>Environment</h3><table class=\"facts\" id=\"environment\">" + rows + "</table>";
}

}  // namespace

std::string summary_section(const PageContext& page) {
  return section("summary", "Summary", facts(page));
}

std::string setup_section(const PageContext& page) {
  return section(
      "setup", "Runs and specification",
      runs_table(page) + spec_table(page) + class_distribution(page) + environment(page));
}

}  // namespace ferlab::report
