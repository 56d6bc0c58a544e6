// `clahe`: contrast-limited adaptive histogram equalisation. Equalises per tile, so a face
// half in shadow gets contrast on both halves; the clip limit stops noise being amplified.
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>

namespace {

class Clahe final : public ferlab::Preprocessor {
 public:
  explicit Clahe(const ferlab::Params& p)
      : clip_(p.number("clip")), grid_(static_cast<int>(p.integer("grid"))) {}

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    // cv::CLAHE keeps scratch buffers, so one per call keeps apply() thread-safe.
    cv::Ptr<cv::CLAHE> clahe = cv::createCLAHE(clip_, {grid_, grid_});
    cv::Mat out;
    if (image.channels() == 1) {
      clahe->apply(image, out);
      return out;
    }
    cv::Mat lab;  // colour: lightness only
    cv::cvtColor(image, lab, cv::COLOR_BGR2Lab);
    std::vector<cv::Mat> planes;
    cv::split(lab, planes);
    clahe->apply(planes[0], planes[0]);
    cv::merge(planes, lab);
    cv::cvtColor(lab, out, cv::COLOR_Lab2BGR);
    return out;
  }

 private:
  double clip_;
  int grid_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("clip", 2.0, 0.01, 100, "contrast limit (OpenCV clipLimit); higher = stronger"),
      integer("grid", 8, 1, 64, "tiles per side (grid x grid tiles)"),
  };
  registry.add<ferlab::Preprocessor>(
      "clahe", "contrast-limited adaptive histogram equalisation", schema,
      [](const ferlab::Params& p) { return std::make_unique<Clahe>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-clahe", "0.1.0", "CLAHE", register_plugins)
