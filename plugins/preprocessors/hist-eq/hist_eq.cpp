// `hist-eq`: global histogram equalisation, spreading the intensities over the full range so
// under- and over-exposed faces look alike.
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>

namespace {

class HistEq final : public ferlab::Preprocessor {
 public:
  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    cv::Mat out;
    if (image.channels() == 1) {
      cv::equalizeHist(image, out);
      return out;
    }
    // Colour: equalise luma only, so hues do not shift.
    cv::Mat ycrcb;
    cv::cvtColor(image, ycrcb, cv::COLOR_BGR2YCrCb);
    std::vector<cv::Mat> planes;
    cv::split(ycrcb, planes);
    cv::equalizeHist(planes[0], planes[0]);
    cv::merge(planes, ycrcb);
    cv::cvtColor(ycrcb, out, cv::COLOR_YCrCb2BGR);
    return out;
  }
};

void register_plugins(ferlab::Registry& registry) {
  registry.add<ferlab::Preprocessor>(
      "hist-eq", "global histogram equalisation (luma for colour)", {},
      [](const ferlab::Params&) { return std::make_unique<HistEq>(); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-hist-eq", "0.1.0", "Histogram equalisation", register_plugins)
