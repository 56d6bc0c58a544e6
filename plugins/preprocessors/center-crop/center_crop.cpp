// `center-crop`: keeps the central square of the image, trimming background and hair.
#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <stdexcept>
#include <string>

namespace {

class CenterCrop final : public ferlab::Preprocessor {
 public:
  explicit CenterCrop(const ferlab::Params& p)
      : size_(static_cast<int>(p.integer("size"))), fraction_(p.number("fraction")) {}

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    int side = size_ > 0 ? size_
                         : std::max(1, static_cast<int>(std::lround(
                                           fraction_ * std::min(image.cols, image.rows))));
    if (side > image.cols || side > image.rows) {
      throw std::invalid_argument("center-crop: size " + std::to_string(side) +
                                  " is larger than the " + std::to_string(image.cols) + "x" +
                                  std::to_string(image.rows) + " image");
    }
    return image(cv::Rect((image.cols - side) / 2, (image.rows - side) / 2, side, side)).clone();
  }

 private:
  int size_;
  double fraction_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      integer("size", 0, 0, 4096, "side of the kept square in pixels; 0 = use `fraction`"),
      number("fraction", 0.875, 0.05, 1, "side of the kept square relative to the short side"),
  };
  registry.add<ferlab::Preprocessor>(
      "center-crop", "keep the central square of the image", schema,
      [](const ferlab::Params& p) { return std::make_unique<CenterCrop>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-center-crop", "0.1.0", "Centre crop", register_plugins)
