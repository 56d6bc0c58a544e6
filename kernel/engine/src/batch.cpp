#include "engine/batch.hpp"

#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace ferlab::engine {

void image_to_tensor(const cv::Mat& image, const InputShape& shape, float* out) {
  if (image.empty() || image.depth() != CV_8U)
    throw std::invalid_argument("expected a non-empty 8-bit image");
  cv::Mat img = image;
  if (img.channels() != shape.channels) {
    if (shape.channels == 1 && img.channels() == 3)
      cv::cvtColor(img, img, cv::COLOR_BGR2GRAY);
    else if (shape.channels == 3 && img.channels() == 1)
      cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
    else
      throw std::invalid_argument("image has " + std::to_string(img.channels()) +
                                  " channels, the network expects " +
                                  std::to_string(shape.channels));
  }
  if (img.rows != shape.height || img.cols != shape.width)
    cv::resize(img, img, cv::Size(shape.width, shape.height), 0, 0, cv::INTER_AREA);
  const int c = shape.channels, plane = shape.height * shape.width;
  for (int y = 0; y < shape.height; ++y) {
    const std::uint8_t* row = img.ptr<std::uint8_t>(y);
    for (int x = 0; x < shape.width; ++x)
      for (int k = 0; k < c; ++k)
        out[k * plane + y * shape.width + x] = row[x * c + k] * (1.f / 255.f);
  }
}

}  // namespace ferlab::engine
