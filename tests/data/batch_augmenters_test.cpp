// mixup and cutmix on known tensors: constant images whose values say where each pixel came
// from, one-hot targets; the soft-target loss against a hand computation.
#include <ferlab/batch_augmenter.hpp>

#include "engine/loss.hpp"
#include "file_fixtures.hpp"
#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

constexpr int kBatch = 6, kClasses = 6, kSide = 10, kChannels = 2;

// Image i holds 10 * i + c in channel c; target i is one-hot on class i.
struct KnownBatch {
  std::vector<float> images, targets;
  BatchTensor tensor() {
    return {images.data(), targets.data(), kBatch, kChannels, kSide, kSide, kClasses};
  }
  KnownBatch() : images(kBatch * kChannels * kSide * kSide), targets(kBatch * kClasses, 0.f) {
    for (int i = 0; i < kBatch; ++i) {
      for (int c = 0; c < kChannels; ++c)
        std::fill_n(images.begin() + (i * kChannels + c) * kSide * kSide, kSide * kSide,
                    10.f * i + c);
      targets[i * kClasses + i] = 1.f;
    }
  }
  float pixel(int i, int c, int y, int x) const {
    return images[((i * kChannels + c) * kSide + y) * kSide + x];
  }
};

std::shared_ptr<BatchAugmenter> batch_augmenter(const std::string& name,
                                                const std::map<std::string, Value>& p = {}) {
  auto augmenter = std::dynamic_pointer_cast<BatchAugmenter>(make<Augmenter>(name, p));
  if (!augmenter) throw std::runtime_error(name + " is not a batch augmenter");
  return augmenter;
}

// The partner of each image (the class its target mixes in besides its own) and its weight.
std::vector<std::pair<int, float>> partners(const KnownBatch& b) {
  std::vector<std::pair<int, float>> out;
  for (int i = 0; i < kBatch; ++i) {
    int partner = i;
    float sum = 0;
    for (int k = 0; k < kClasses; ++k) {
      sum += b.targets[i * kClasses + k];
      if (k != i && b.targets[i * kClasses + k] > 0) partner = k;
    }
    EXPECT_NEAR(sum, 1.f, 1e-6) << "row " << i;
    out.push_back({partner, b.targets[i * kClasses + partner]});
  }
  return out;
}

TEST(Mixup, BlendsEachImageWithItsPartnerAsItsTargetSays) {
  auto mixup = batch_augmenter("mixup", {{"alpha", Value(1.0)}});
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    KnownBatch b;
    BatchTensor t = b.tensor();
    Rng rng(seed);
    mixup->apply_batch(t, rng);
    std::vector<int> seen(kBatch, 0);
    const auto pairs = partners(b);
    for (int i = 0; i < kBatch; ++i) {
      const auto [j, share] = pairs[i];
      ++seen[j];
      const float keep = j == i ? 1.f : b.targets[i * kClasses + i];
      if (j != i) {
        EXPECT_NEAR(keep + share, 1.f, 1e-6);
      }
      for (int c = 0; c < kChannels; ++c)
        for (int y = 0; y < kSide; ++y)
          for (int x = 0; x < kSide; ++x)
            ASSERT_NEAR(b.pixel(i, c, y, x), keep * (10.f * i + c) + (1 - keep) * (10.f * j + c),
                        1e-4)
                << "seed " << seed << " image " << i;
    }
    // Partners form a permutation; the same weight is used across the batch.
    for (int i = 0; i < kBatch; ++i) EXPECT_LE(seen[i], 1 + (pairs[i].first == i));
  }
}

TEST(Mixup, WeightsFollowTheBetaDistribution) {
  // Beta(a, a) has mean 1/2 and variance 1 / (4 (2a + 1)): 1/12 for a = 1, 1/44 for a = 5.
  for (double alpha : {1.0, 5.0, 0.4}) {
    auto mixup = batch_augmenter("mixup", {{"alpha", Value(alpha)}});
    std::vector<double> keeps;
    for (std::uint64_t seed = 0; seed < 4000; ++seed) {
      std::vector<float> image(2, 0.f), target{1.f, 0.f, 0.f, 1.f};
      image[1] = 1.f;  // two one-pixel images 0 and 1
      BatchTensor t{image.data(), target.data(), 2, 1, 1, 1, 2};
      Rng rng(seed);
      mixup->apply_batch(t, rng);
      if (target[1] > 0) keeps.push_back(target[0]);  // image 0 drew image 1 as partner
    }
    double mean = 0, var = 0;
    for (double k : keeps) mean += k / keeps.size();
    for (double k : keeps) var += (k - mean) * (k - mean) / keeps.size();
    EXPECT_NEAR(mean, 0.5, 0.02) << "alpha " << alpha;
    EXPECT_NEAR(var, 1 / (4 * (2 * alpha + 1)), 0.01) << "alpha " << alpha;
  }
}

TEST(Cutmix, PastesOneRectangleFromThePartnerAndWeighsTargetsByArea) {
  auto cutmix = batch_augmenter("cutmix");
  int mixed_batches = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    KnownBatch b;
    BatchTensor t = b.tensor();
    Rng rng(seed);
    cutmix->apply_batch(t, rng);
    const auto pairs = partners(b);
    // Where image 0 shows its partner: one rectangle, the same for every image and channel.
    int y0 = kSide, y1 = -1, x0 = kSide, x1 = -1, pasted = 0;
    for (int y = 0; y < kSide; ++y)
      for (int x = 0; x < kSide; ++x)
        if (b.pixel(0, 0, y, x) != 0.f) {
          ++pasted;
          y0 = std::min(y0, y), y1 = std::max(y1, y), x0 = std::min(x0, x), x1 = std::max(x1, x);
        }
    if (pasted == 0 || pairs[0].first == 0) continue;
    ++mixed_batches;
    EXPECT_EQ(pasted, (y1 - y0 + 1) * (x1 - x0 + 1)) << "not a rectangle, seed " << seed;
    for (int i = 0; i < kBatch; ++i) {
      const int j = pairs[i].first;
      for (int c = 0; c < kChannels; ++c)
        for (int y = 0; y < kSide; ++y)
          for (int x = 0; x < kSide; ++x) {
            const bool inside = y >= y0 && y <= y1 && x >= x0 && x <= x1;
            ASSERT_EQ(b.pixel(i, c, y, x), 10.f * (inside ? j : i) + c)
                << "seed " << seed << " image " << i << " at " << y << "," << x;
          }
      if (j != i) {
        EXPECT_NEAR(pairs[i].second, pasted / 100.f, 1e-6);
      }
    }
  }
  EXPECT_GE(mixed_batches, 10);
}

TEST(BatchAugmenters, DoNothingPerImageNorWithProbabilityZero) {
  for (const char* name : {"mixup", "cutmix"}) {
    cv::Mat image = random_image(3, 8), copy = image.clone();
    Rng rng(1);
    make<Augmenter>(name)->apply(image, rng);
    EXPECT_TRUE(same_pixels(image, copy)) << name;
    KnownBatch b, untouched;
    BatchTensor t = b.tensor();
    batch_augmenter(name, {{"p", Value(0.0)}})->apply_batch(t, rng);
    EXPECT_EQ(b.images, untouched.images) << name;
    EXPECT_EQ(b.targets, untouched.targets) << name;
  }
}

TEST(SoftTargets, LossAndGradientMatchAHandComputation) {
  // Two rows, three classes: targets 0.7/0.3/0 and 0/0.25/0.75.
  const std::vector<float> logits{1.f, 2.f, 0.5f, -1.f, 0.f, 3.f};
  const std::vector<float> targets{0.7f, 0.3f, 0.f, 0.f, 0.25f, 0.75f};
  std::vector<float> grad(6);
  const double loss =
      engine::soft_cross_entropy(logits.data(), targets.data(), 2, 3, {}, grad.data());
  double expected = 0;
  for (int i = 0; i < 2; ++i) {
    double sum = 0;
    for (int k = 0; k < 3; ++k) sum += std::exp(logits[i * 3 + k]);
    for (int k = 0; k < 3; ++k) {
      const double p = std::exp(logits[i * 3 + k]) / sum;
      expected -= targets[i * 3 + k] * std::log(p) / 2;
      EXPECT_NEAR(grad[i * 3 + k], (p - targets[i * 3 + k]) / 2, 1e-6);
    }
  }
  EXPECT_NEAR(loss, expected, 1e-6);
  // One-hot rows give the hard-label loss.
  const std::vector<float> one_hot{0.f, 1.f, 0.f, 0.f, 0.f, 1.f};
  const std::vector<int> labels{1, 2};
  EXPECT_NEAR(engine::soft_cross_entropy(logits.data(), one_hot.data(), 2, 3, {0.1, {}}, nullptr),
              engine::softmax_cross_entropy(logits.data(), labels.data(), 2, 3, {0.1, {}}, nullptr),
              1e-9);
}

}  // namespace
}  // namespace ferlab::test
