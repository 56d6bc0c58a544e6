#include "report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/html_text.hpp"

namespace ferlab::report {
namespace {

constexpr double width = 520, height = 300;
constexpr double left = 54, right = 14, top = 30, bottom = 44;  // room for the axes

struct Range {
  double low = std::numeric_limits<double>::max(), high = std::numeric_limits<double>::lowest();
  void add(double v) {
    if (!std::isfinite(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  bool empty() const { return low > high; }
};

// About five round tick values covering the range; whole numbers only when `integers`.
std::vector<double> ticks(Range& r, bool integers) {
  if (r.low == r.high) r.low -= 0.5, r.high += 0.5;
  double raw = (r.high - r.low) / 5;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  if (integers) magnitude = std::max(magnitude, 1.0);
  double step = magnitude;
  for (double m : {2.0, 5.0, 10.0})
    if (step < raw) step = magnitude * m;
  r.low = std::floor(r.low / step) * step;
  r.high = std::ceil(r.high / step) * step;
  std::vector<double> out;
  for (double v = r.low; v <= r.high + step / 2; v += step) out.push_back(v);
  return out;
}

std::string tick_text(double v) {
  std::string s = fmt::format("{:.3f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

}  // namespace

std::string legend(const std::vector<Series>& series) {
  std::string items;
  for (const Series& s : series)
    items += fmt::format(
        "<span class=\"legend-item\"><span class=\"swatch\" style=\"background:{}\"></span>{}"
        "</span>",
        s.colour, escape(s.label));
  return "<div class=\"legend\">" + items + "</div>";
}

std::string series_colour(size_t index) {
  static const char* palette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
                                  "#56b4e9", "#d55e00", "#f0e442", "#000000"};
  return palette[index % std::size(palette)];
}

std::string line_chart(const std::string& id, const std::string& title, const std::string& x_label,
                       const std::vector<Series>& series) {
  Range xs, ys;
  for (const Series& s : series) {
    for (double x : s.x) xs.add(x);
    for (const auto* values : {&s.mean, &s.low, &s.high})
      for (double y : *values) ys.add(y);
  }
  std::string svg = fmt::format(
      R"~(<svg id="{}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" )~"
      R"~(width="{}" height="{}" role="img"><title>{}</title>)~"
      R"~(<text x="{}" y="18" class="chart-title">{}</text>)~",
      escape(id), width, height, width, height, escape(title), left, escape(title));
  if (xs.empty() || ys.empty()) return svg + R"~(<text x="60" y="140">no data</text></svg>)~";
  std::vector<double> x_ticks = ticks(xs, true), y_ticks = ticks(ys, false);
  double plot_w = width - left - right, plot_h = height - top - bottom;
  auto px = [&](double x) { return left + (x - xs.low) / (xs.high - xs.low) * plot_w; };
  auto py = [&](double y) { return top + plot_h - (y - ys.low) / (ys.high - ys.low) * plot_h; };
  for (double y : y_ticks)
    svg += fmt::format(R"~(<line x1="{:.1f}" x2="{:.1f}" y1="{:.1f}" y2="{:.1f}" class="grid"/>)~"
                       R"~(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="end">{}</text>)~",
                       left, left + plot_w, py(y), py(y), left - 4, py(y) + 4, tick_text(y));
  for (double x : x_ticks)
    svg +=
        fmt::format(R"~(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="middle">{}</text>)~",
                    px(x), top + plot_h + 14, tick_text(x));
  svg += fmt::format(
      R"~(<rect x="{}" y="{}" width="{:.1f}" height="{:.1f}" class="frame"/>)~"
      R"~(<text x="{:.1f}" y="{:.1f}" class="axis-label" text-anchor="middle">{}</text>)~",
      left, top, plot_w, plot_h, left + plot_w / 2, top + plot_h + 30, escape(x_label));
  for (const Series& s : series) {
    std::string band, line;
    bool has_band = false;
    for (size_t i = 0; i < s.x.size(); ++i) {
      line += fmt::format("{}{:.1f},{:.1f}", i ? " " : "", px(s.x[i]), py(s.mean[i]));
      band += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(s.high[i]));
      has_band = has_band || s.high[i] != s.low[i];
    }
    for (size_t i = s.x.size(); i-- > 0;)
      band += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(s.low[i]));
    if (has_band)
      svg += fmt::format(R"~(<polygon points="{}" fill="{}" fill-opacity="0.18" stroke="none"/>)~",
                         band, s.colour);
    svg += fmt::format(
        R"~(<polyline points="{}" fill="none" stroke="{}" stroke-width="2"><title>{}</title>)~"
        R"~(</polyline>)~",
        line, s.colour, escape(s.label));
    for (size_t i = 0; i < s.x.size(); ++i)
      svg += fmt::format(
          R"~(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"><title>{} epoch {}: {:.4f})~"
          R"~(</title></circle>)~",
          px(s.x[i]), py(s.mean[i]), s.colour, escape(s.label), s.x[i], s.mean[i]);
  }
  return svg + "</svg>";
}

std::string heatmap(const std::string& title, const std::vector<std::string>& classes,
                    const std::vector<std::vector<double>>& shade,
                    const std::vector<std::vector<std::string>>& text) {
  const double cell = 38, margin_left = 92, margin_top = 40, margin_bottom = 78;
  size_t n = classes.size();
  double w = margin_left + cell * static_cast<double>(n) + 10;
  double h = margin_top + cell * static_cast<double>(n) + margin_bottom;
  std::string svg = fmt::format(
      R"~(<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" )~"
      R"~(width="{}" height="{}" role="img"><title>{}</title>)~"
      R"~(<text x="4" y="16" class="chart-title">{}</text>)~",
      w, h, w, h, escape(title), escape(title));
  for (size_t t = 0; t < n; ++t) {
    double y = margin_top + cell * static_cast<double>(t);
    svg += fmt::format(R"~(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="end">{}</text>)~",
                       margin_left - 6, y + cell / 2 + 4, escape(classes[t]));
    for (size_t p = 0; p < n; ++p) {
      double x = margin_left + cell * static_cast<double>(p);
      double v = std::clamp(shade[t][p], 0.0, 1.0);
      // White to deep blue; text turns white on dark cells.
      int r = static_cast<int>(255 - v * 247), g = static_cast<int>(255 - v * 207),
          b = static_cast<int>(255 - v * 148);
      svg += fmt::format(
          R"~(<rect x="{:.1f}" y="{:.1f}" width="{}" height="{}" fill="rgb({},{},{})" )~"
          R"~(stroke="#fff"/><text x="{:.1f}" y="{:.1f}" class="cell" fill="{}" )~"
          R"~(text-anchor="middle">{}</text>)~",
          x, y, cell, cell, r, g, b, x + cell / 2, y + cell / 2 + 4, v > 0.55 ? "#fff" : "#111",
          escape(text[t][p]));
    }
  }
  double bottom_y = margin_top + cell * static_cast<double>(n);
  for (size_t p = 0; p < n; ++p) {
    double x = margin_left + cell * static_cast<double>(p) + cell / 2;
    svg += fmt::format(R"~(<text x="{:.1f}" y="{:.1f}" class="tick" text-anchor="end" )~"
                       R"~(transform="rotate(-40 {:.1f} {:.1f})">{}</text>)~",
                       x, bottom_y + 12, x, bottom_y + 12, escape(classes[p]));
  }
  svg += fmt::format(
      R"~(<text x="{:.1f}" y="{:.1f}" class="axis-label" text-anchor="middle">predicted</text>)~"
      R"~(<text x="12" y="{:.1f}" class="axis-label" text-anchor="middle" )~"
      R"~(transform="rotate(-90 12 {:.1f})">true</text>)~",
      margin_left + cell * static_cast<double>(n) / 2, h - 6, margin_top + cell * n / 2,
      margin_top + cell * n / 2);
  return svg + "</svg>";
}

}  // namespace ferlab::report
