// `rotate`: random in-plane rotation about the image centre (head roll).
#include <cmath>
#include <ferlab/abi.hpp>

#include "../common/random.hpp"

namespace {

class Rotate final : public ferlab::Augmenter {
 public:
  explicit Rotate(const ferlab::Params& p)
      : degrees_(p.number("degrees")),
        exact_(p.flag("exact")),
        p_(p.number("p")),
        border_(augment::border_mode(p.text("border"))) {}

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    double angle = exact_ ? (augment::chance(rng, 0.5) ? degrees_ : -degrees_)
                          : augment::uniform(rng, -degrees_, degrees_);
    if (angle == 0) return;
    // Quarter turns of a square image are pixel permutations: do them losslessly.
    double quarters = angle / 90;
    if (quarters == std::round(quarters) && image.rows == image.cols) {
      int turns = ((static_cast<int>(quarters) % 4) + 4) % 4;  // counter-clockwise
      static const int codes[] = {-1, cv::ROTATE_90_COUNTERCLOCKWISE, cv::ROTATE_180,
                                  cv::ROTATE_90_CLOCKWISE};
      if (turns == 0) return;
      cv::Mat out;
      cv::rotate(image, out, codes[turns]);
      image = out;
      return;
    }
    cv::Point2f centre((image.cols - 1) / 2.0f, (image.rows - 1) / 2.0f);
    cv::Mat m = cv::getRotationMatrix2D(centre, angle, 1.0);  // positive = counter-clockwise
    cv::Mat out;
    cv::warpAffine(image, out, m, image.size(), cv::INTER_LINEAR, border_);
    image = out;
  }

 private:
  double degrees_;
  bool exact_;
  double p_;
  int border_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("degrees", 10, 0, 180, "maximum rotation either way, in degrees"),
      flag("exact", false, "rotate by exactly +degrees or -degrees instead of a uniform angle"),
      number("p", 1.0, 0, 1, "probability of rotating"),
      choice("border", "reflect", {"reflect", "replicate", "constant"},
             "how the uncovered corners are filled (constant = black)"),
  };
  registry.add<ferlab::Augmenter>(
      "rotate", "random rotation about the centre", schema,
      [](const ferlab::Params& p) { return std::make_unique<Rotate>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-rotate", "0.1.0", "Rotation", register_plugins)
