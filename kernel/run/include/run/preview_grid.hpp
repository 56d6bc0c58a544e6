// Grids of faces, optionally labelled and in titled sections: the preview the report stores at
// the end of a run and the one `ferlab preview` writes.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace ferlab::run {

struct GridTile {
  cv::Mat image;      // 8-bit grey or BGR, any size
  std::string label;  // written under the image when the style has a label band
};

struct GridSection {
  std::string title;  // written above the tiles when the style has a title band
  std::vector<GridTile> tiles;
};

// Sizes in pixels. Each image is scaled to fit `cell` (aspect kept, centred; enlarged by
// nearest neighbour so the pixels the network sees stay visible).
struct GridStyle {
  int columns = 8;
  cv::Size cell{96, 96};
  int gap = 4;           // around and between tiles
  int label_height = 0;  // band under each image; 0: no labels
  int title_height = 0;  // band above each section; 0: no titles
};

// White background. Width: gap + columns * (cell.width + gap). Each section, top to bottom:
// its title band, a gap, then ceil(tiles / columns) rows of tiles in row-major order, each row
// cell.height + label_height high followed by a gap. The height is the sum over the sections.
cv::Mat draw_grid(const std::vector<GridSection>& sections, const GridStyle& style);

// The image as PNG bytes. Throws std::runtime_error when OpenCV cannot encode it.
std::string encode_png(const cv::Mat& image);

}  // namespace ferlab::run
