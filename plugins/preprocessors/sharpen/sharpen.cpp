// `sharpen`: unsharp mask, out = in + amount * (in - blur(in)), applied only where the detail
// exceeds `threshold` so flat skin noise is not amplified.
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>

namespace {

class Sharpen final : public ferlab::Preprocessor {
 public:
  explicit Sharpen(const ferlab::Params& p)
      : amount_(p.number("amount")), sigma_(p.number("sigma")), threshold_(p.number("threshold")) {}

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    cv::Mat source, blurred;
    image.convertTo(source, CV_32F);
    cv::GaussianBlur(source, blurred, {0, 0}, sigma_, sigma_, cv::BORDER_REFLECT_101);
    cv::Mat detail = source - blurred;
    if (threshold_ > 0) {
      cv::Mat weak = cv::abs(detail) <= threshold_;
      detail.setTo(cv::Scalar::all(0), weak);
    }
    cv::Mat out;
    cv::Mat(source + amount_ * detail).convertTo(out, image.type());  // saturates to 0..255
    return out;
  }

 private:
  double amount_, sigma_, threshold_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("amount", 1.0, 0, 10, "strength: 0 = unchanged, 1 = add the full detail again"),
      number("sigma", 1.0, 0.1, 10, "blur standard deviation: the scale of detail sharpened"),
      number("threshold", 0, 0, 255, "detail smaller than this (0-255) is left alone"),
  };
  registry.add<ferlab::Preprocessor>(
      "sharpen", "unsharp-mask sharpening", schema,
      [](const ferlab::Params& p) { return std::make_unique<Sharpen>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-sharpen", "0.1.0", "Unsharp-mask sharpening", register_plugins)
