// `cutmix` (Yun et al. 2019): a random rectangle of each training image is replaced by the
// same rectangle of another image of the batch; the targets mix in proportion to the area.
#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>

#include "../common/batch_mixing.hpp"

namespace {

class Cutmix final : public ferlab::BatchAugmenter {
 public:
  explicit Cutmix(const ferlab::Params& p) : alpha_(p.number("alpha")), p_(p.number("p")) {}

  void apply_batch(ferlab::BatchTensor& batch, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    const double lambda = augment::beta(rng, alpha_, alpha_);
    const std::vector<int> partner = augment::partners(rng, batch.batch);
    // A box of area (1 - lambda) centred anywhere, clipped to the image as in the paper.
    const int H = batch.height, W = batch.width;
    const double side = std::sqrt(1 - lambda);
    const int h = static_cast<int>(H * side), w = static_cast<int>(W * side);
    const int cy = augment::index(rng, H), cx = augment::index(rng, W);
    const int y0 = std::clamp(cy - h / 2, 0, H), y1 = std::clamp(cy + h / 2, 0, H);
    const int x0 = std::clamp(cx - w / 2, 0, W), x1 = std::clamp(cx + w / 2, 0, W);
    if (y1 <= y0 || x1 <= x0) return;

    const std::size_t plane = static_cast<std::size_t>(H) * W;
    const std::size_t image = plane * batch.channels;
    const std::vector<float> original(batch.images, batch.images + image * batch.batch);
    for (int i = 0; i < batch.batch; ++i)
      for (int c = 0; c < batch.channels; ++c)
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) {
            const std::size_t at = c * plane + static_cast<std::size_t>(y) * W + x;
            batch.images[i * image + at] = original[partner[i] * image + at];
          }
    // The share of each image's own pixels, after clipping.
    const double keep = 1.0 - static_cast<double>((y1 - y0) * (x1 - x0)) / plane;
    augment::mix_targets(batch, partner, keep);
  }

 private:
  double alpha_, p_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("alpha", 1.0, 0.01, 100, "the kept area share is drawn from Beta(alpha, alpha)"),
      number("p", 1.0, 0, 1, "probability of mixing a batch"),
  };
  registry.add<ferlab::Augmenter>(
      "cutmix", "batch-level: paste a rectangle from another image, mix labels by area", schema,
      [](const ferlab::Params& p) { return std::make_unique<Cutmix>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-cutmix", "0.1.0", "CutMix (batch-level)", register_plugins)
