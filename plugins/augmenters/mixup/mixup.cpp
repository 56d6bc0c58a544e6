// `mixup` (Zhang et al. 2018): each training image becomes a convex combination of itself and
// another image of the batch, and its target the same combination of the two labels.
#include <ferlab/abi.hpp>

#include "../common/batch_mixing.hpp"

namespace {

class Mixup final : public ferlab::BatchAugmenter {
 public:
  explicit Mixup(const ferlab::Params& p) : alpha_(p.number("alpha")), p_(p.number("p")) {}

  void apply_batch(ferlab::BatchTensor& batch, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    const double keep = augment::beta(rng, alpha_, alpha_);
    const std::vector<int> partner = augment::partners(rng, batch.batch);
    const int pixels = batch.channels * batch.height * batch.width;
    const std::vector<float> mixed = augment::mix_rows(batch.images, pixels, partner, keep);
    std::copy(mixed.begin(), mixed.end(), batch.images);
    augment::mix_targets(batch, partner, keep);
  }

 private:
  double alpha_, p_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("alpha", 0.2, 0.01, 100, "the weight of an image's own content is Beta(alpha, alpha)"),
      number("p", 1.0, 0, 1, "probability of mixing a batch"),
  };
  registry.add<ferlab::Augmenter>(
      "mixup", "batch-level: blend image pairs and their labels", schema,
      [](const ferlab::Params& p) { return std::make_unique<Mixup>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-mixup", "0.1.0", "Mixup (batch-level)", register_plugins)
