// Confusion matrices per variant and split (pooled over its runs), as counts and row-normalised,
// with the per-class precision, recall and F1 they imply.
#include <fmt/format.h>

#include <set>

#include "report/html_text.hpp"
#include "report/sections.hpp"
#include "report/svg_chart.hpp"

namespace ferlab::report {
namespace {

Matrix pooled(const Variant& v, const EvalKey& key) {
  Matrix sum;
  for (const RunData* run : v.finished) {
    auto found = run->confusion.find(key);
    if (found == run->confusion.end()) continue;
    const Matrix& m = found->second;
    if (sum.empty()) sum.assign(m.size(), std::vector<std::int64_t>(m.size(), 0));
    for (size_t t = 0; t < m.size() && t < sum.size(); ++t)
      for (size_t p = 0; p < m.size() && p < sum.size(); ++p) sum[t][p] += m[t][p];
  }
  return sum;
}

std::string per_class_table(const Matrix& m, const std::vector<std::string>& classes,
                            const std::string& id) {
  std::string rows;
  for (size_t c = 0; c < m.size(); ++c) {
    std::int64_t tp = m[c][c], support = 0, predicted = 0;
    for (size_t k = 0; k < m.size(); ++k) support += m[c][k], predicted += m[k][c];
    std::optional<double> precision, recall, f1;
    if (predicted) precision = static_cast<double>(tp) / static_cast<double>(predicted);
    if (support) recall = static_cast<double>(tp) / static_cast<double>(support);
    if (precision && recall)
      f1 = *precision + *recall > 0 ? 2 * *precision * *recall / (*precision + *recall) : 0.0;
    rows += fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(c < classes.size() ? classes[c] : std::to_string(c)),
                        number(precision), number(recall), number(f1), support);
  }
  return "<table class=\"per-class\" id=\"" + escape(id) +
         "\"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th>"
         "<th>support</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
}

std::string matrices(const Variant& v, size_t index, const EvalKey& key) {
  Matrix m = pooled(v, key);
  if (m.empty()) return "";
  const std::vector<std::string>& classes = v.finished.front()->classes;
  std::vector<std::string> names = classes;
  names.resize(m.size(), "?");
  std::vector<std::vector<double>> count_shade(m.size()), row_shade(m.size());
  std::vector<std::vector<std::string>> count_text(m.size()), row_text(m.size());
  for (size_t t = 0; t < m.size(); ++t) {
    std::int64_t support = 0;
    for (std::int64_t c : m[t]) support += c;
    for (size_t p = 0; p < m.size(); ++p) {
      double share = support ? static_cast<double>(m[t][p]) / static_cast<double>(support) : 0;
      count_shade[t].push_back(share);
      row_shade[t].push_back(share);
      count_text[t].push_back(std::to_string(m[t][p]));
      row_text[t].push_back(fmt::format("{:.2f}", share));
    }
  }
  std::string runs = v.finished.size() == 1 ? "1 run"
                     : v.folds > 0
                         ? fmt::format("{} runs pooled: {} folds x {} seed(s), every test fold",
                                       v.finished.size(), v.folds, v.replicates.size())
                         : fmt::format("{} runs pooled", v.finished.size());
  return fmt::format(
      "<div class=\"confusion\" data-variant=\"{}\" data-split=\"{}\"><h3>{} \u2014 {} split "
      "({})</h3><div class=\"charts\">{}{}{}</div></div>",
      escape(v.label), escape(key.split), escape(v.label), escape(key.split), runs,
      heatmap("counts", names, count_shade, count_text),
      heatmap("row-normalised (recall on the diagonal)", names, row_shade, row_text),
      per_class_table(m, names, fmt::format("per-class-{}-{}", index, key.split)));
}

}  // namespace

std::string confusion_section(const PageContext& page) {
  std::string body =
      "<p class=\"note\">Best checkpoint, no test-time augmentation; rows are true classes. "
      "Per-class precision, recall and F1 are computed from the matrix shown.</p>";
  for (size_t i = 0; i < page.variants.size(); ++i)
    for (const char* split : {"val", "test"})
      body += matrices(page.variants[i], i, {split, "none", "best"});
  return section("confusion", "Confusion matrices", body);
}

}  // namespace ferlab::report
