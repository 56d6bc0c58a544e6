// `align`: rotates a face so that its eyes are level, removing head roll before training.
// Expects a face crop (put it after `face-crop`); images where two eyes are not found are
// kept unrotated and counted ("no-eyes").
#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>
#include <ferlab/cascades.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>

namespace {

cv::Point2d centre(const cv::Rect& r) { return {r.x + r.width / 2.0, r.y + r.height / 2.0}; }

class Align final : public ferlab::Preprocessor {
 public:
  explicit Align(const ferlab::Params& p)
      : min_eye_(p.number("min_eye")),
        max_angle_(p.number("max_angle")),
        scale_factor_(p.number("scale_factor")),
        min_neighbors_(static_cast<int>(p.integer("min_neighbors"))),
        pool_(std::make_unique<ferlab::cascades::Pool>(p.text("cascade"))) {}

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink& events) const override {
    std::optional<double> angle = eye_angle(image);
    if (!angle) {
      events.count("no-eyes");
      return image.clone();
    }
    if (std::abs(*angle) > max_angle_) {  // implausible: more likely a false eye than a roll
      events.count("eyes-implausible");
      return image.clone();
    }
    cv::Point2f c((image.cols - 1) / 2.0f, (image.rows - 1) / 2.0f);
    cv::Mat m = cv::getRotationMatrix2D(c, *angle, 1.0);
    cv::Mat out;
    cv::warpAffine(image, out, m, image.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return out;
  }

 private:
  // Angle (degrees, OpenCV's counter-clockwise convention) that levels the eyes: the largest
  // detection in each upper quarter of the image counts as that side's eye.
  std::optional<double> eye_angle(const cv::Mat& image) const {
    cv::Mat gray;
    if (image.channels() == 1) {
      cv::equalizeHist(image, gray);
    } else {
      cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
      cv::equalizeHist(gray, gray);
    }
    int min_side = std::max(4, static_cast<int>(min_eye_ * image.cols));
    cv::Mat upper = gray.rowRange(0, gray.rows * 2 / 3);
    std::optional<cv::Rect> left, right;
    for (const cv::Rect& r :
         pool_->detect(upper, scale_factor_, min_neighbors_, {min_side, min_side})) {
      auto& side = centre(r).x < image.cols / 2.0 ? left : right;
      if (!side || r.area() > side->area()) side = r;
    }
    if (!left || !right) return std::nullopt;
    cv::Point2d d = centre(*right) - centre(*left);
    // Image y points down: a right eye lower than the left needs a counter-clockwise turn.
    return std::atan2(d.y, d.x) * 180 / M_PI;
  }

  double min_eye_, max_angle_, scale_factor_;
  int min_neighbors_;
  std::unique_ptr<ferlab::cascades::Pool> pool_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("min_eye", 0.1, 0.02, 0.5, "smallest eye searched for, as a fraction of the width"),
      number("max_angle", 30, 1, 60, "larger estimated rolls are treated as failed detections"),
      number("scale_factor", 1.1, 1.01, 2, "detector scale step"),
      integer("min_neighbors", 3, 1, 50, "detections needed to accept an eye"),
      text("cascade", "haarcascade_eye.xml",
           "eye cascade: a name in opencv-data's haarcascades folder, or a path"),
  };
  registry.add<ferlab::Preprocessor>(
      "align", "rotate so the eyes are level (Haar eye cascade; unchanged if not found)", schema,
      [](const ferlab::Params& p) { return std::make_unique<Align>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-align", "0.1.0", "Eye-based roll alignment", register_plugins)
