// The report's learning-rate range tests: for each experiment the newest test recorded with
// `ferlab lr-find --db`, its curve, its suggestion and the rate the runs used.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "report/html_text.hpp"
#include "report/lr_find_chart.hpp"
#include "report/sections.hpp"
#include "report/svg_chart.hpp"

namespace ferlab::report {
namespace {

const Series raw_loss{"loss at each step", "#bbbbbb", {}, {}, {}, {}};
const Series smoothed_loss{"smoothed (centred moving average)", "#0072b2", {}, {}, {}, {}};

// The learning rates the experiment's runs were given (their train.optimizer.lr), as text.
std::string rates_used(const PageContext& page, const std::string& experiment) {
  std::vector<std::string> rates;
  for (const RunData& run : page.data.runs) {
    if (run.row.experiment != experiment) continue;
    for (const auto& [key, value] : run.params)
      if (key == "train.optimizer.lr" &&
          std::find(rates.begin(), rates.end(), value) == rates.end())
        rates.push_back(value);
  }
  if (rates.empty()) return "";
  return fmt::format(" Its runs used learning rate{} {}.", rates.size() == 1 ? "" : "s",
                     fmt::join(rates, ", "));
}

}  // namespace

std::string lr_find_chart(const std::string& id, const storage::LrFindRecord& test) {
  Series raw = raw_loss, smoothed = smoothed_loss;
  // The divergence at the end would squash the part that matters: the steps from the first
  // whose smoothed loss passes 1.5 times the first step's are left out.
  const double cap = test.smoothed.empty() ? 0 : 1.5 * test.smoothed.front();
  std::size_t drawn = 0;
  while (drawn < test.rates.size() && test.smoothed[drawn] <= cap) ++drawn;
  for (std::size_t i = 0; i < drawn; ++i) {
    const double x = std::log10(test.rates[i]);
    raw.x.push_back(x);
    smoothed.x.push_back(x);
    raw.mean.push_back(test.losses[i]);
    smoothed.mean.push_back(test.smoothed[i]);
  }
  raw.low = raw.high = raw.mean;
  smoothed.low = smoothed.high = smoothed.mean;
  return line_chart(
      id, fmt::format("training loss against the learning rate (suggested {:.3g})", test.suggested),
      "log10 learning rate", {raw, smoothed});
}

std::string lr_find_section(const PageContext& page) {
  if (page.data.lr_finds.empty()) return "";
  std::string body =
      "<p class=\"note\">The learning-rate range test (Smith 2017; <code>ferlab lr-find SPEC "
      "--db</code>): the spec's first run trained from its initial weights with a rate growing "
      "exponentially, one step each. The suggestion is the rate where the smoothed loss falls "
      "fastest; the test reads no validation or test data. A chart stops where the smoothed "
      "loss passes 1.5 times its first value (the divergence would flatten the rest).</p>";
  std::set<std::string> shown;  // experiments: the newest test of each
  int index = 0;
  for (const storage::LrFindRecord& t : page.data.lr_finds) {
    if (!shown.insert(t.experiment).second) continue;
    body += fmt::format(
        "<h3>{}{}</h3><p>Suggested learning rate <span class=\"best\">{:.3g}</span>; the "
        "smoothed loss is lowest at {:.3g}. {} of {} steps from {:.3g} to {:.3g}, recorded "
        "{}{}.{}</p>",
        escape(t.experiment), t.variant.empty() ? "" : " (" + escape(t.variant) + ")", t.suggested,
        t.minimum, t.rates.size(), t.steps, t.start, t.end, escape(t.created),
        t.stopped.empty() ? "" : "; stopped early: " + escape(t.stopped),
        escape(rates_used(page, t.experiment)));
    body += legend({raw_loss, smoothed_loss}) + "<div class=\"charts\">" +
            lr_find_chart(fmt::format("lr-find-{}", index++), t) + "</div>";
  }
  return section("lr-find", "Learning-rate range test", body);
}

}  // namespace ferlab::report
