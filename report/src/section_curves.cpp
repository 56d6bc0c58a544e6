// Learning curves: train and validation loss and accuracy per epoch, one colour per variant,
// the mean over its runs with a band from the lowest to the highest run.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/sections.hpp"
#include "report/svg_chart.hpp"

namespace ferlab::report {
namespace {

Series curve(const Variant& v, size_t index, const std::string& split, double EpochPoint::*member) {
  // Finished runs when there are any; otherwise whatever epochs the cut-short runs recorded.
  const auto& runs = v.finished.empty() ? v.runs : v.finished;
  std::map<int, std::vector<double>> by_epoch;
  for (const RunData* run : runs)
    for (const EpochPoint& e : run->epochs)
      if (e.split == split) by_epoch[e.epoch].push_back(e.*member);
  Series s{v.label, series_colour(index), {}, {}, {}, {}};
  for (const auto& [epoch, values] : by_epoch) {
    s.x.push_back(epoch);
    s.mean.push_back(mean_std(values).mean);
    s.low.push_back(*std::min_element(values.begin(), values.end()));
    s.high.push_back(*std::max_element(values.begin(), values.end()));
  }
  return s;
}

std::vector<Series> curves(const PageContext& page, const std::string& split,
                           double EpochPoint::*member) {
  std::vector<Series> series;
  for (size_t i = 0; i < page.variants.size(); ++i)
    series.push_back(curve(page.variants[i], i, split, member));
  return series;
}

std::string chart(const PageContext& page, const std::string& split, double EpochPoint::*member,
                  const std::string& what) {
  std::vector<Series> series = curves(page, split, member);
  std::string id = "curve-" + split + "-" + what;
  return line_chart(id, (split == "train" ? "training " : "validation ") + what, "epoch", series);
}

}  // namespace

std::string curves_section(const PageContext& page) {
  std::string body =
      "<p class=\"note\">Per epoch; the line is the mean over a variant's runs (seeds / folds), "
      "the band spans the lowest to the highest run. Training figures are of the training "
      "objective on augmented images.</p>" +
      legend(curves(page, "train", &EpochPoint::loss)) + "<div class=\"charts\">";
  body += chart(page, "train", &EpochPoint::loss, "loss");
  body += chart(page, "val", &EpochPoint::loss, "loss");
  body += chart(page, "train", &EpochPoint::accuracy, "accuracy");
  body += chart(page, "val", &EpochPoint::accuracy, "accuracy");
  return section("curves", "Learning curves", body + "</div>");
}

}  // namespace ferlab::report
