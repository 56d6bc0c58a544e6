// Significance: the best variant (chosen on validation) against each other one, paired on the
// same test samples, p-values corrected with Holm's method.
#include <fmt/format.h>

#include "report/html_text.hpp"
#include "report/sections.hpp"

namespace ferlab::report {
namespace {

constexpr int resamples = 2000;
constexpr std::uint64_t seed = 20240602;

struct Comparison {
  const Variant* other = nullptr;
  double best_accuracy = 0, other_accuracy = 0;  // mean over runs, on the shared samples
  std::string test;
  int samples = 0;
  double p = 1;
};

// Share of runs right on sample i.
double right(const std::vector<std::vector<const Prediction*>>& runs, size_t first, size_t count,
             int i) {
  double sum = 0;
  for (size_t r = first; r < first + count; ++r)
    sum += runs[r][i]->true_class == runs[r][i]->predicted_class;
  return sum / static_cast<double>(count);
}

std::optional<Comparison> compare(const Variant& best, const Variant& other) {
  std::vector<const RunData*> runs = best.replicates;
  runs.insert(runs.end(), other.replicates.begin(), other.replicates.end());
  auto aligned = aligned_predictions(runs, test_key());
  if (aligned.empty() || aligned.front().empty()) return std::nullopt;
  size_t nb = best.replicates.size(), no = other.replicates.size();
  Comparison c;
  c.other = &other;
  c.samples = static_cast<int>(aligned.front().size());
  std::vector<double> difference(c.samples);
  std::int64_t only_best = 0, only_other = 0;
  for (int i = 0; i < c.samples; ++i) {
    double a = right(aligned, 0, nb, i), b = right(aligned, nb, no, i);
    c.best_accuracy += a / c.samples;
    c.other_accuracy += b / c.samples;
    difference[i] = a - b;
    only_best += a == 1 && b == 0;
    only_other += a == 0 && b == 1;
  }
  if (nb == 1 && no == 1) {
    c.test = "McNemar's exact test";
    c.p = mcnemar_exact(only_best, only_other);
  } else {
    c.test = fmt::format("paired bootstrap ({} resamples) of the mean accuracy over {} + {} {}",
                         resamples, nb, no, best.folds || other.folds ? "seeds" : "runs");
    c.p = paired_bootstrap_p(
        c.samples,
        [&](const std::vector<int>& drawn) {
          double sum = 0;
          for (int i : drawn) sum += difference[i];
          return sum / static_cast<double>(drawn.size());
        },
        resamples, seed);
  }
  return c;
}

}  // namespace

std::string significance_section(const PageContext& page) {
  const Variant* best = best_variant(page.variants);
  if (!best) return section("significance", "Significance", "<p>No finished runs to compare.</p>");
  std::vector<Comparison> comparisons;
  std::string missing;
  for (const Variant& v : page.variants) {
    if (&v == best) continue;
    if (auto c = v.replicates.empty() ? std::nullopt : compare(*best, v))
      comparisons.push_back(*c);
    else
      missing += "<li>" + escape(v.label) +
                 ": no finished run with stored test predictions to pair with</li>";
  }
  std::vector<double> p;
  for (const Comparison& c : comparisons) p.push_back(c.p);
  std::vector<double> adjusted = holm(p);
  std::string sentences, rows;
  for (size_t i = 0; i < comparisons.size(); ++i) {
    const Comparison& c = comparisons[i];
    sentences += "<li>" +
                 escape(conclusion(best->label, c.best_accuracy, c.other->label, c.other_accuracy,
                                   "test accuracy", adjusted[i])) +
                 "</li>";
    rows += fmt::format(
        "<tr data-variant=\"{}\"><td>{}</td><td>{}</td><td>{:.4f}</td><td>{:.4f}</td><td>{}</td>"
        "<td>{}</td><td data-value=\"{}\">{}</td><td data-value=\"{}\">{}</td></tr>",
        escape(c.other->label), escape(best->label), escape(c.other->label), c.best_accuracy,
        c.other_accuracy, c.samples, escape(c.test), c.p, format_p(c.p), adjusted[i],
        format_p(adjusted[i]));
  }
  std::string body = fmt::format(
      "<p class=\"note\">Best variant: <b>{}</b>, the highest mean validation accuracy (the test "
      "split is not used to choose). Each other variant is compared with it on the same test "
      "samples (best checkpoint, no test-time augmentation; for k-fold variants, the union of "
      "their test folds); p-values are two-sided and "
      "Holm-corrected over the {} comparison(s); significant means below 0.05.</p>",
      escape(best->label), comparisons.size());
  if (!sentences.empty()) body += "<ul class=\"conclusions\">" + sentences + "</ul>";
  if (!rows.empty())
    body +=
        "<table class=\"sortable\" id=\"significance-table\"><thead><tr><th>best</th>"
        "<th>other</th><th>best: test accuracy</th><th>other: test accuracy</th>"
        "<th>paired test samples</th><th>test</th><th>p</th><th>p (Holm)</th></tr></thead><tbody>" +
        rows + "</tbody></table>";
  if (!missing.empty()) body += "<p>Not compared:</p><ul>" + missing + "</ul>";
  return section("significance", "Significance", body);
}

}  // namespace ferlab::report
