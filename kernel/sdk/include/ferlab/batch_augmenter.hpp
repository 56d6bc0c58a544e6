// Batch augmenter plugins (mixup, cutmix): random transforms of a whole training batch that
// mix images and their targets. They are augmenters, listed under `augment:` like the others;
// their per-image step is the identity and their work happens once the batch is assembled,
// after every per-image augmenter has run.
#pragma once

#include <ferlab/augmenter.hpp>

namespace ferlab {

// A training batch as the network will see it, editable in place.
struct BatchTensor {
  float* images = nullptr;   // batch x channels x height x width, values in [0, 1]
  float* targets = nullptr;  // batch x classes; each row sums to 1 (one-hot before mixing)
  int batch = 0, channels = 0, height = 0, width = 0, classes = 0;
};

class FERLAB_API BatchAugmenter : public Augmenter {
 public:
  // The identity: nothing happens per image.
  void apply(cv::Mat& image, Rng& rng) const final;
  // Transforms images and targets together. All randomness comes from rng (one per batch, from
  // the run's seed, the epoch and the step). Thread-safe.
  virtual void apply_batch(BatchTensor& batch, Rng& rng) const = 0;
};

}  // namespace ferlab
