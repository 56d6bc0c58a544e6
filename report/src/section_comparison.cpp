// Comparison: one row per variant, every figure with its spread, sortable, best marked.
#include <fmt/format.h>

#include <functional>
#include <set>

#include "report/html_text.hpp"
#include "report/sections.hpp"

namespace ferlab::report {
namespace {

struct Column {
  std::string header;
  bool higher_is_better;
  std::function<std::optional<double>(const VariantFigures&)> value;  // sorts and marks
  std::function<std::string(const VariantFigures&)> text;
};

std::optional<double> mean_of(const MeanStd& m) {
  if (m.n == 0) return std::nullopt;
  return m.mean;
}

std::string spread_text(const MeanStd& m, int decimals) {
  if (m.n == 0) return "\u2014";
  if (m.n == 1) return number(m.mean, decimals);
  return number(m.mean, decimals) + " \u00b1 " + number(m.std, decimals);
}

std::string figure_text(const Figure& f) {
  std::string text = spread_text(f.spread, 4);
  if (f.ci)
    text += fmt::format("<span class=\"ci\">95% CI [{:.4f}, {:.4f}]</span>", f.ci->low, f.ci->high);
  return text;
}

std::string count_text(const std::optional<double>& v) {
  return v ? fmt::format("{:.0f}", *v) : std::string("\u2014");
}

std::vector<Column> columns() {
  auto figure = [](Figure VariantFigures::*member, const char* header) {
    return Column{header, true,
                  [member](const VariantFigures& f) { return mean_of((f.*member).spread); },
                  [member](const VariantFigures& f) { return figure_text(f.*member); }};
  };
  auto spread = [](MeanStd VariantFigures::*member, const char* header, bool higher, int decimals) {
    return Column{
        header, higher, [member](const VariantFigures& f) { return mean_of(f.*member); },
        [member, decimals](const VariantFigures& f) { return spread_text(f.*member, decimals); }};
  };
  auto count = [](std::optional<double> VariantFigures::*member, const char* header) {
    return Column{header, false, [member](const VariantFigures& f) { return f.*member; },
                  [member](const VariantFigures& f) { return count_text(f.*member); }};
  };
  return {figure(&VariantFigures::accuracy, "test accuracy"),
          figure(&VariantFigures::macro_f1, "test macro-F1"),
          figure(&VariantFigures::balanced_accuracy, "test balanced accuracy"),
          spread(&VariantFigures::best_val_accuracy, "best val accuracy", true, 4),
          count(&VariantFigures::parameters, "parameters"),
          count(&VariantFigures::macs, "MACs / image"),
          spread(&VariantFigures::train_seconds, "training time (s)", false, 1),
          spread(&VariantFigures::images_per_second, "images/s (training)", true, 0)};
}

std::string table_for(const PageContext& page, const std::string& tta) {
  std::vector<Column> cols = columns();
  std::vector<VariantFigures> figures;
  for (const Variant& v : page.variants) figures.push_back(variant_figures(v, tta));
  // The best value of each column, among the variants that have one.
  std::vector<std::optional<double>> best(cols.size());
  for (size_t c = 0; c < cols.size(); ++c)
    for (const VariantFigures& f : figures)
      if (auto v = cols[c].value(f))
        if (!best[c] || (cols[c].higher_is_better ? *v > *best[c] : *v < *best[c])) best[c] = v;
  std::string head = "<th>variant</th><th>runs</th>";
  for (const Column& c : cols) head += "<th>" + escape(c.header) + "</th>";
  std::string rows;
  for (size_t i = 0; i < figures.size(); ++i) {
    const Variant& v = page.variants[i];
    std::string cells =
        fmt::format("<td>{}</td><td data-value=\"{}\">{} of {}</td>", escape(v.label),
                    v.finished.size(), v.finished.size(), v.runs.size());
    for (size_t c = 0; c < cols.size(); ++c) {
      auto value = cols[c].value(figures[i]);
      bool is_best = value && best[c] && *value == *best[c] && figures.size() > 1;
      cells += fmt::format("<td data-value=\"{}\"{}>{}</td>", value ? *value : -1e300,
                           is_best ? " class=\"best\"" : "", cols[c].text(figures[i]));
    }
    rows += "<tr data-variant=\"" + escape(v.label) + "\">" + cells + "</tr>";
  }
  return fmt::format(
      "<h3>Test-time augmentation: {}</h3><table class=\"sortable comparison\" "
      "data-tta=\"{}\"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
      escape(tta), escape(tta), head, rows);
}

}  // namespace

std::string comparison_section(const PageContext& page) {
  std::set<std::string> ttas;
  for (const RunData& run : page.data.runs)
    for (const auto& [key, matrix] : run.confusion)
      if (key.split == "test") ttas.insert(key.tta);
  if (ttas.empty()) ttas.insert("none");
  std::string body =
      "<p class=\"note\">Test figures are on the <b>test split</b>, for the checkpoint selected "
      "on the <b>validation split</b>; best val accuracy is that checkpoint's. Mean \u00b1 "
      "sample standard deviation over the finished runs (seeds / folds) of each variant; the "
      "95% CI is a percentile bootstrap over the test samples (1000 resamples, fixed seed) of "
      "that mean, shown when the runs stored their test predictions. Click a header to sort; "
      "<span class=\"best\">marked</span>: the best of a column (fewest parameters, MACs and "
      "seconds).</p>";
  for (const std::string& tta : ttas) body += table_for(page, tta);
  return section("comparison", page.comparing() ? "Comparison" : "Results", body);
}

}  // namespace ferlab::report
