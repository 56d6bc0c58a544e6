// `random-crop`: pad the image, then cut a window at a random position (translation jitter).
#include <ferlab/abi.hpp>
#include <stdexcept>
#include <string>

#include "../common/random.hpp"

namespace {

class RandomCrop final : public ferlab::Augmenter {
 public:
  explicit RandomCrop(const ferlab::Params& p)
      : size_(static_cast<int>(p.integer("size"))),
        padding_(static_cast<int>(p.integer("padding"))),
        border_(augment::border_mode(p.text("border"))) {}

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    cv::Mat padded;
    cv::copyMakeBorder(image, padded, padding_, padding_, padding_, padding_, border_,
                       cv::Scalar::all(0));
    int w = size_ > 0 ? size_ : image.cols, h = size_ > 0 ? size_ : image.rows;
    if (w > padded.cols || h > padded.rows) {
      throw std::invalid_argument("random-crop: size " + std::to_string(size_) +
                                  " is larger than the padded " + std::to_string(padded.cols) +
                                  "x" + std::to_string(padded.rows) + " image");
    }
    int x = augment::index(rng, padded.cols - w + 1);
    int y = augment::index(rng, padded.rows - h + 1);
    image = padded(cv::Rect(x, y, w, h)).clone();
  }

 private:
  int size_, padding_, border_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      integer("size", 0, 0, 4096, "side of the crop in pixels; 0 = the input size"),
      integer("padding", 4, 0, 256, "pixels added on every side before cropping"),
      choice("border", "reflect", {"reflect", "replicate", "constant"},
             "how the padding is filled (constant = black)"),
  };
  registry.add<ferlab::Augmenter>(
      "random-crop", "pad, then crop at a random position", schema,
      [](const ferlab::Params& p) { return std::make_unique<RandomCrop>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-random-crop", "0.1.0", "Random crop", register_plugins)
