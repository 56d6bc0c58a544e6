// `grayscale`: colour images to one channel (FER networks usually take gray input).
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>

namespace {

class Grayscale final : public ferlab::Preprocessor {
 public:
  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    cv::Mat out;
    if (image.channels() == 3)
      cv::cvtColor(image, out, cv::COLOR_BGR2GRAY);
    else if (image.channels() == 4)
      cv::cvtColor(image, out, cv::COLOR_BGRA2GRAY);
    else
      out = image.clone();  // a copy: callers may modify the result in place
    return out;
  }
};

void register_plugins(ferlab::Registry& registry) {
  registry.add<ferlab::Preprocessor>(
      "grayscale", "convert colour images to 8-bit grayscale", {},
      [](const ferlab::Params&) { return std::make_unique<Grayscale>(); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-grayscale", "0.1.0", "Grayscale conversion", register_plugins)
