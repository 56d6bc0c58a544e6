// Inline SVG charts: line charts with bands, and heatmaps with numbers in the cells.
#pragma once

#include <string>
#include <vector>

namespace ferlab::report {

// The colour of the i-th variant (a colour-blind-safe categorical palette, cycled).
std::string series_colour(size_t index);

// One line of a chart: the mean at each x, and a band from low to high (drawn when they differ).
struct Series {
  std::string label, colour;
  std::vector<double> x, mean, low, high;
};

// The legend shared by charts with the same series: an HTML block of colour swatches.
std::string legend(const std::vector<Series>& series);

// A line chart with axes and ticks (x: whole numbers, epochs), without a legend. `id` becomes the
// svg's id attribute.
std::string line_chart(const std::string& id, const std::string& title, const std::string& x_label,
                       const std::vector<Series>& series);

// A square heatmap: `shade` in [0, 1] per cell sets the colour, `text` is written in the cell;
// rows are true classes, columns predicted ones.
std::string heatmap(const std::string& title, const std::vector<std::string>& classes,
                    const std::vector<std::vector<double>>& shade,
                    const std::vector<std::vector<std::string>>& text);

}  // namespace ferlab::report
