// `blur`: random Gaussian blur, imitating out-of-focus and low-resolution faces.
#include <ferlab/abi.hpp>
#include <stdexcept>

#include "../common/random.hpp"

namespace {

class Blur final : public ferlab::Augmenter {
 public:
  explicit Blur(const ferlab::Params& p)
      : min_sigma_(p.number("min_sigma")), sigma_(p.number("sigma")), p_(p.number("p")) {
    if (min_sigma_ > sigma_) throw std::invalid_argument("blur: min_sigma must not exceed sigma");
  }

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    double sigma = augment::uniform(rng, min_sigma_, sigma_);
    cv::Mat out;
    cv::GaussianBlur(image, out, {0, 0}, sigma, sigma, cv::BORDER_REFLECT_101);
    image = out;
  }

 private:
  double min_sigma_, sigma_, p_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("sigma", 1.5, 0.1, 20, "maximum blur standard deviation in pixels"),
      number("min_sigma", 0.3, 0.1, 20, "minimum blur standard deviation in pixels"),
      number("p", 0.3, 0, 1, "probability of blurring"),
  };
  registry.add<ferlab::Augmenter>(
      "blur", "random Gaussian blur, std drawn from [min_sigma, sigma]", schema,
      [](const ferlab::Params& p) { return std::make_unique<Blur>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-blur", "0.1.0", "Gaussian blur", register_plugins)
