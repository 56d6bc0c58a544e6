// The augmentation of training data as the trainer applies it: a per-image step, then a
// batch step (mixup, cutmix) on the assembled tensor with its soft targets.
#pragma once

#include <ferlab/batch_augmenter.hpp>
#include <functional>
#include <type_traits>

namespace ferlab::engine {

// Transforms a training image in place (a copy: the dataset is untouched).
using Augment = std::function<void(cv::Mat&, Rng&)>;
// Transforms an assembled batch and its targets in place.
using BatchAugment = std::function<void(BatchTensor&, Rng&)>;

struct Augmentation {
  Augment image;
  BatchAugment batch;  // empty: hard labels, plain cross-entropy

  Augmentation() = default;
  Augmentation(Augment image_step, BatchAugment batch_step = {})
      : image(std::move(image_step)), batch(std::move(batch_step)) {}
  // A lambda for the per-image step alone.
  template <class F>
  requires std::is_invocable_v<F&, cv::Mat&, Rng&> Augmentation(F image_step)
      : image(std::move(image_step)) {}
};

}  // namespace ferlab::engine
