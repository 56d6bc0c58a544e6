// `resize`: to a square network input, stretching, cropping or padding non-square images.
#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>

namespace {

int interpolation_flag(const std::string& name, bool shrinking) {
  if (name == "nearest") return cv::INTER_NEAREST;
  if (name == "linear") return cv::INTER_LINEAR;
  if (name == "cubic") return cv::INTER_CUBIC;
  if (name == "area") return cv::INTER_AREA;
  if (name == "lanczos") return cv::INTER_LANCZOS4;
  // auto: area averaging avoids aliasing when shrinking; cubic is sharper when enlarging.
  return shrinking ? cv::INTER_AREA : cv::INTER_CUBIC;
}

class Resize final : public ferlab::Preprocessor {
 public:
  explicit Resize(const ferlab::Params& p)
      : size_(static_cast<int>(p.integer("size"))),
        fit_(p.text("fit")),
        interpolation_(p.text("interpolation")) {}

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    double sx = double(size_) / image.cols, sy = double(size_) / image.rows;
    cv::Mat out;
    if (fit_ == "stretch") {
      cv::resize(image, out, {size_, size_}, 0, 0,
                 interpolation_flag(interpolation_, std::max(sx, sy) < 1));
      return out;
    }
    // crop: the short side becomes `size` and the long side is cut centrally;
    // pad: the long side becomes `size` and the short side is padded with black.
    double s = fit_ == "crop" ? std::max(sx, sy) : std::min(sx, sy);
    int w = static_cast<int>(std::lround(image.cols * s));
    int h = static_cast<int>(std::lround(image.rows * s));
    // Rounding must not leave the scaled image smaller (crop) or larger (pad) than the output.
    w = fit_ == "crop" ? std::max(w, size_) : std::clamp(w, 1, size_);
    h = fit_ == "crop" ? std::max(h, size_) : std::clamp(h, 1, size_);
    cv::Mat scaled;
    cv::resize(image, scaled, {w, h}, 0, 0, interpolation_flag(interpolation_, s < 1));
    if (fit_ == "crop") {
      return scaled(cv::Rect((w - size_) / 2, (h - size_) / 2, size_, size_)).clone();
    }
    int left = (size_ - scaled.cols) / 2, top = (size_ - scaled.rows) / 2;
    cv::copyMakeBorder(scaled, out, top, size_ - scaled.rows - top, left,
                       size_ - scaled.cols - left, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return out;
  }

 private:
  int size_;
  std::string fit_, interpolation_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      integer("size", 48, 4, 4096, "output side in pixels (square)"),
      choice("fit", "stretch", {"stretch", "crop", "pad"},
             "non-square input: stretch it, crop the long side, or pad the short side"),
      choice("interpolation", "auto", {"auto", "nearest", "linear", "cubic", "area", "lanczos"},
             "auto = area when shrinking, cubic when enlarging"),
  };
  registry.add<ferlab::Preprocessor>(
      "resize", "resize to a square of `size` pixels", schema,
      [](const ferlab::Params& p) { return std::make_unique<Resize>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-resize", "0.1.0", "Resizing", register_plugins)
