// `hflip`: mirror left-right. Expressions are (nearly) symmetric, so this doubles the data.
#include <ferlab/abi.hpp>

#include "../common/random.hpp"

namespace {

class HFlip final : public ferlab::Augmenter {
 public:
  explicit HFlip(const ferlab::Params& p) : p_(p.number("p")) {}

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    cv::Mat out;  // a new buffer: the caller's image may share pixels with a cache
    cv::flip(image, out, 1);
    image = out;
  }

 private:
  double p_;
};

void register_plugins(ferlab::Registry& registry) {
  ferlab::Schema schema = {ferlab::param::number("p", 0.5, 0, 1, "probability of flipping")};
  registry.add<ferlab::Augmenter>(
      "hflip", "random horizontal mirror", schema,
      [](const ferlab::Params& p) { return std::make_unique<HFlip>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-hflip", "0.1.0", "Horizontal flip", register_plugins)
