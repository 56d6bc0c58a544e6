#include "run/preview_grid.hpp"

#include <algorithm>
#include <cmath>
#include <ferlab/media.hpp>
#include <opencv2/imgproc.hpp>

namespace ferlab::run {
namespace {

constexpr int font = cv::FONT_HERSHEY_SIMPLEX;

// 8-bit BGR scaled to fit `cell`, centred on white (preprocessing may leave other sizes,
// channel counts or depths).
cv::Mat fit_cell(const cv::Mat& image, cv::Size cell) {
  cv::Mat in = image;
  if (in.depth() != CV_8U) cv::normalize(in, in, 0, 255, cv::NORM_MINMAX, CV_8U);
  if (in.channels() == 1) cv::cvtColor(in, in, cv::COLOR_GRAY2BGR);
  if (in.channels() == 4) cv::cvtColor(in, in, cv::COLOR_BGRA2BGR);
  const double scale = std::min(static_cast<double>(cell.width) / in.cols,
                                static_cast<double>(cell.height) / in.rows);
  cv::Size size(std::clamp(static_cast<int>(std::lround(in.cols * scale)), 1, cell.width),
                std::clamp(static_cast<int>(std::lround(in.rows * scale)), 1, cell.height));
  if (size != in.size())
    cv::resize(in, in, size, 0, 0, scale > 1 ? cv::INTER_NEAREST : cv::INTER_AREA);
  cv::Mat out(cell, CV_8UC3, cv::Scalar(255, 255, 255));
  in.copyTo(out(cv::Rect((cell.width - size.width) / 2, (cell.height - size.height) / 2, size.width,
                         size.height)));
  return out;
}

// Black text vertically centred in `box`, shrunk to its width when too long; centred
// horizontally or left-aligned.
void write(cv::Mat& canvas, const std::string& text, cv::Rect box, double scale, bool centred) {
  if (text.empty() || box.height <= 0) return;
  int baseline = 0;
  cv::Size size = cv::getTextSize(text, font, scale, 1, &baseline);
  if (size.width > box.width) {
    scale *= static_cast<double>(box.width) / size.width;
    size = cv::getTextSize(text, font, scale, 1, &baseline);
  }
  const int x = box.x + (centred ? (box.width - size.width) / 2 : 0);
  const int y = box.y + (box.height + size.height) / 2;
  cv::putText(canvas, text, cv::Point(x, y), font, scale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
}

int rows_of(const GridSection& section, int columns) {
  return (static_cast<int>(section.tiles.size()) + columns - 1) / columns;
}

}  // namespace

cv::Mat draw_grid(const std::vector<GridSection>& sections, const GridStyle& style) {
  if (style.columns < 1 || style.cell.width < 1 || style.cell.height < 1 || style.gap < 0 ||
      style.label_height < 0 || style.title_height < 0)
    throw std::invalid_argument("draw_grid: a grid needs a column and a cell of positive size");
  const int row_height = style.cell.height + style.label_height + style.gap;
  const int width = style.gap + style.columns * (style.cell.width + style.gap);
  int height = 0;
  for (const GridSection& s : sections)
    height += style.title_height + style.gap + rows_of(s, style.columns) * row_height;
  cv::Mat grid(std::max(height, 1), width, CV_8UC3, cv::Scalar(255, 255, 255));
  int top = 0;
  for (const GridSection& s : sections) {
    write(grid, s.title, cv::Rect(style.gap, top, width - 2 * style.gap, style.title_height), 0.5,
          false);
    top += style.title_height + style.gap;
    for (std::size_t i = 0; i < s.tiles.size(); ++i) {
      const int column = static_cast<int>(i) % style.columns;
      const int row = static_cast<int>(i) / style.columns;
      const cv::Point at(style.gap + column * (style.cell.width + style.gap),
                         top + row * row_height);
      fit_cell(s.tiles[i].image, style.cell).copyTo(grid(cv::Rect(at, style.cell)));
      write(grid, s.tiles[i].label,
            cv::Rect(at.x, at.y + style.cell.height, style.cell.width, style.label_height), 0.4,
            true);
    }
    top += rows_of(s, style.columns) * row_height;
  }
  return grid;
}

std::string encode_png(const cv::Mat& image) {
  const std::vector<unsigned char> bytes = media::encode_image(".png", image);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace ferlab::run
