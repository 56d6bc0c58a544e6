// `face-crop`: finds the face with OpenCV's Haar cascade and keeps a square around it, so the
// network sees faces at one position and scale. Images without a detectable face keep a
// centre crop and are counted ("no-face"), never dropped.
#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>
#include <ferlab/cascades.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>

namespace {

class FaceCrop final : public ferlab::Preprocessor {
 public:
  explicit FaceCrop(const ferlab::Params& p)
      : margin_(p.number("margin")),
        min_size_(static_cast<int>(p.integer("min_size"))),
        scale_factor_(p.number("scale_factor")),
        min_neighbors_(static_cast<int>(p.integer("min_neighbors"))),
        fallback_(p.number("fallback")),
        pool_(std::make_unique<ferlab::cascades::Pool>(p.text("cascade"))) {}

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink& events) const override {
    // Equalised for detection only; the crop keeps the original pixels.
    cv::Mat gray;
    if (image.channels() == 1) {
      cv::equalizeHist(image, gray);
    } else {
      cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
      cv::equalizeHist(gray, gray);
    }
    std::vector<cv::Rect> faces =
        pool_->detect(gray, scale_factor_, min_neighbors_, {min_size_, min_size_});
    if (faces.empty()) {
      events.count("no-face");
      int side =
          std::max(1, static_cast<int>(std::lround(fallback_ * std::min(image.cols, image.rows))));
      return image(cv::Rect((image.cols - side) / 2, (image.rows - side) / 2, side, side)).clone();
    }
    cv::Rect face =
        *std::max_element(faces.begin(), faces.end(),
                          [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
    int grow = static_cast<int>(std::lround(margin_ * face.width));
    cv::Rect box(face.x - grow, face.y - grow, face.width + 2 * grow, face.height + 2 * grow);
    // A box reaching past the border is padded by replication, keeping the face centred.
    cv::Rect inside = box & cv::Rect(0, 0, image.cols, image.rows);
    cv::Mat out;
    cv::copyMakeBorder(image(inside), out, inside.y - box.y, box.br().y - inside.br().y,
                       inside.x - box.x, box.br().x - inside.br().x, cv::BORDER_REPLICATE);
    return out;
  }

 private:
  double margin_;
  int min_size_;
  double scale_factor_;
  int min_neighbors_;
  double fallback_;
  std::unique_ptr<ferlab::cascades::Pool> pool_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("margin", 0.1, 0, 1, "border added on each side, as a fraction of the face width"),
      integer("min_size", 24, 8, 4096, "smallest face searched for, in pixels"),
      number("scale_factor", 1.1, 1.01, 2, "detector scale step (smaller = slower, finer)"),
      integer("min_neighbors", 4, 1, 50, "detections needed to accept a face (higher = stricter)"),
      number("fallback", 0.8, 0.05, 1,
             "no face found: keep this central fraction of the short side"),
      text("cascade", "haarcascade_frontalface_default.xml",
           "cascade file: a name in opencv-data's haarcascades folder, or a path"),
  };
  registry.add<ferlab::Preprocessor>(
      "face-crop", "crop to the largest face found by a Haar cascade (centre crop if none)", schema,
      [](const ferlab::Params& p) { return std::make_unique<FaceCrop>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-face-crop", "0.1.0", "Haar-cascade face crop", register_plugins)
