// `affine`: random shift, scale and shear about the image centre (pose and framing jitter).
#include <cmath>
#include <ferlab/abi.hpp>
#include <stdexcept>

#include "../common/random.hpp"

namespace {

class Affine final : public ferlab::Augmenter {
 public:
  explicit Affine(const ferlab::Params& p)
      : shift_(p.number("shift")),
        shear_(p.number("shear")),
        p_(p.number("p")),
        border_(augment::border_mode(p.text("border"))) {
    std::vector<double> scale = p.numbers("scale");
    if (scale.size() != 2 || scale[0] > scale[1]) {
      throw std::invalid_argument("affine: 'scale' must be [min, max] with min <= max");
    }
    scale_min_ = scale[0], scale_max_ = scale[1];
  }

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    double dx = augment::uniform(rng, -shift_, shift_) * image.cols;
    double dy = augment::uniform(rng, -shift_, shift_) * image.rows;
    double s = augment::uniform(rng, scale_min_, scale_max_);
    double k = std::tan(augment::uniform(rng, -shear_, shear_) * M_PI / 180);  // x += k * y
    // out = centre + shift + S * Shear * (in - centre)
    double cx = (image.cols - 1) / 2.0, cy = (image.rows - 1) / 2.0;
    cv::Matx23d m(s, s * k, 0, 0, s, 0);
    m(0, 2) = cx + dx - (m(0, 0) * cx + m(0, 1) * cy);
    m(1, 2) = cy + dy - (m(1, 0) * cx + m(1, 1) * cy);
    cv::Mat out;
    cv::warpAffine(image, out, m, image.size(), cv::INTER_LINEAR, border_);
    image = out;
  }

 private:
  double shift_, shear_, p_;
  int border_;
  double scale_min_ = 1, scale_max_ = 1;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("shift", 0.1, 0, 0.5, "maximum shift either way, as a fraction of the image side"),
      number_list("scale", {0.9, 1.1}, 0.1, 4, "[min, max] zoom factor"),
      number("shear", 10, 0, 45, "maximum horizontal shear either way, in degrees"),
      number("p", 1.0, 0, 1, "probability of applying"),
      choice("border", "reflect", {"reflect", "replicate", "constant"},
             "how uncovered areas are filled (constant = black)"),
  };
  registry.add<ferlab::Augmenter>(
      "affine", "random shift, scale and shear", schema,
      [](const ferlab::Params& p) { return std::make_unique<Affine>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-affine", "0.1.0", "Affine jitter", register_plugins)
