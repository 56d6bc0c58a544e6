// `photometric`: random gamma, contrast and brightness, i.e. exposure and camera response.
// All three are one 256-entry lookup table, so the cost is independent of the settings.
#include <cmath>
#include <ferlab/abi.hpp>

#include "../common/random.hpp"

namespace {

class Photometric final : public ferlab::Augmenter {
 public:
  explicit Photometric(const ferlab::Params& p)
      : brightness_(p.number("brightness")),
        contrast_(p.number("contrast")),
        gamma_(p.number("gamma")),
        p_(p.number("p")) {}

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    // Gamma is log-uniform in [1/(1+g), 1+g], so brightening and darkening are equally likely.
    double log_g = std::log1p(gamma_);
    double gamma = std::exp(augment::uniform(rng, -log_g, log_g));
    double contrast = augment::uniform(rng, 1 - contrast_, 1 + contrast_);
    double shift = 255 * augment::uniform(rng, -brightness_, brightness_);
    // Contrast pivots on the (gamma-mapped) image mean, so it leaves overall brightness alone.
    cv::Mat table(1, 256, CV_8U);
    std::vector<double> curve(256);
    for (int v = 0; v < 256; ++v) curve[v] = 255 * std::pow(v / 255.0, gamma);
    double mean = 0;
    const cv::Scalar channel_means = cv::mean(image);
    for (int c = 0; c < image.channels(); ++c) mean += channel_means[c] / image.channels();
    mean = 255 * std::pow(mean / 255.0, gamma);
    for (int v = 0; v < 256; ++v) {
      table.at<unsigned char>(v) =
          cv::saturate_cast<unsigned char>(mean + contrast * (curve[v] - mean) + shift);
    }
    cv::Mat out;
    cv::LUT(image, table, out);
    image = out;
  }

 private:
  double brightness_, contrast_, gamma_, p_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("brightness", 0.2, 0, 1, "maximum shift, as a fraction of the 0-255 range"),
      number("contrast", 0.2, 0, 1, "contrast factor drawn from [1 - c, 1 + c]"),
      number("gamma", 0.2, 0, 4, "gamma drawn log-uniformly from [1/(1+g), 1+g]"),
      number("p", 1.0, 0, 1, "probability of applying"),
  };
  registry.add<ferlab::Augmenter>(
      "photometric", "random brightness, contrast and gamma", schema,
      [](const ferlab::Params& p) { return std::make_unique<Photometric>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-photometric", "0.1.0", "Photometric jitter", register_plugins)
