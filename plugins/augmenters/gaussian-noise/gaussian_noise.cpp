// `gaussian-noise`: additive sensor noise with a random strength.
#include <ferlab/abi.hpp>
#include <stdexcept>

#include "../common/random.hpp"

namespace {

class GaussianNoise final : public ferlab::Augmenter {
 public:
  explicit GaussianNoise(const ferlab::Params& p)
      : min_sigma_(p.number("min_sigma")), sigma_(p.number("sigma")), p_(p.number("p")) {
    if (min_sigma_ > sigma_) {
      throw std::invalid_argument("gaussian-noise: min_sigma must not exceed sigma");
    }
  }

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    double sigma = augment::uniform(rng, min_sigma_, sigma_);
    cv::Mat out(image.size(), image.type());
    // Continuous images only (cv::Mat from the loader is); reshape views them as one row.
    cv::Mat in = image.isContinuous() ? image : image.clone();
    const auto* src = in.ptr<unsigned char>();
    auto* dst = out.ptr<unsigned char>();
    size_t n = in.total() * in.channels();
    for (size_t i = 0; i < n; i += 2) {
      auto [a, b] = augment::normal_pair(rng);
      dst[i] = cv::saturate_cast<unsigned char>(src[i] + sigma * a);
      if (i + 1 < n) dst[i + 1] = cv::saturate_cast<unsigned char>(src[i + 1] + sigma * b);
    }
    image = out;
  }

 private:
  double min_sigma_, sigma_, p_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("sigma", 8, 0, 100, "maximum noise standard deviation (0-255 scale)"),
      number("min_sigma", 0, 0, 100, "minimum noise standard deviation"),
      number("p", 0.5, 0, 1, "probability of adding noise"),
  };
  registry.add<ferlab::Augmenter>(
      "gaussian-noise", "additive Gaussian noise, std drawn from [min_sigma, sigma]", schema,
      [](const ferlab::Params& p) { return std::make_unique<GaussianNoise>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-gaussian-noise", "0.1.0", "Gaussian noise", register_plugins)
