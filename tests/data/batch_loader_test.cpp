// The batch loader: worker threads prepare exactly the batches a sequential loop would (each
// sample augmented by its own generator), whatever their number; errors reach the trainer.
#include "engine/batch_loader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "engine/seeding.hpp"

namespace ferlab::test {
namespace {

using engine::Augmentation;
using engine::BatchLoader;

const InputShape kShape{1, 5, 6};

std::vector<Sample> random_samples(int n) {
  std::mt19937 rng(11);
  std::vector<Sample> samples;
  for (int i = 0; i < n; ++i) {
    cv::Mat image(kShape.height, kShape.width, CV_8UC1);
    for (int p = 0; p < image.rows * image.cols; ++p) image.data[p] = rng() % 256;
    samples.push_back({image, i % 3, std::to_string(i)});
  }
  return samples;
}

// Uses the generator several times per image, so any sharing between samples shows.
void scramble(cv::Mat& image, Rng& rng) {
  if (rng() % 2) cv::flip(image, image, 1);
  for (int p = 0; p < image.rows * image.cols; ++p)
    image.data[p] = static_cast<unsigned char>(image.data[p] ^ (rng() & 0x0f));
}

// What batch `step` must hold, computed sample by sample without the loader.
// Loader output back in pixel values (it holds pixel / 255).
std::vector<int> pixels(const std::vector<float>& batch) {
  std::vector<int> out;
  for (float v : batch) out.push_back(static_cast<int>(std::lround(v * 255.f)));
  return out;
}

std::vector<int> expected_batch(const std::vector<Sample>& samples,
                                const std::vector<std::size_t>& order, std::size_t step, int batch,
                                std::uint64_t seed, int epoch) {
  std::vector<int> out;
  for (int j = 0; j < batch; ++j) {
    const std::size_t index = order[step * batch + j];
    cv::Mat image = samples[index].image.clone();
    Rng rng(engine::augment_seed(seed, epoch, index));
    scramble(image, rng);
    for (int p = 0; p < image.rows * image.cols; ++p) out.push_back(image.data[p]);
  }
  return out;
}

std::vector<std::vector<float>> all_batches(BatchLoader& loader, int epochs, int batch,
                                            std::vector<int>* labels_out = nullptr) {
  std::vector<std::vector<float>> batches;
  std::mt19937_64 shuffle(3);
  std::vector<std::size_t> order(37);
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> labels(batch);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), shuffle);
    loader.start_epoch(order, epoch);
    for (std::size_t s = 0; s < loader.steps(); ++s) {
      batches.emplace_back(static_cast<std::size_t>(batch) * 30);
      loader.next(batches.back().data(), labels.data());
      if (labels_out) labels_out->insert(labels_out->end(), labels.begin(), labels.end());
    }
  }
  return batches;
}

TEST(BatchLoader, GivesTheSequentialBatchesWhateverTheThreadCount) {
  const auto samples = random_samples(37);
  const int batch = 4;
  BatchLoader one(samples, kShape, batch, 3, Augmentation(scramble), 9, 1);
  BatchLoader three(samples, kShape, batch, 3, Augmentation(scramble), 9, 3);
  std::vector<int> labels;
  const auto a = all_batches(one, 3, batch, &labels), b = all_batches(three, 3, batch);
  ASSERT_EQ(a.size(), 3u * 9);  // 37 / 4 = 9 full batches per epoch, the remainder left out
  EXPECT_EQ(a, b);

  // The same order, replayed without the loader.
  std::mt19937_64 shuffle(3);
  std::vector<std::size_t> order(37);
  std::iota(order.begin(), order.end(), 0);
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::shuffle(order.begin(), order.end(), shuffle);
    for (std::size_t s = 0; s < 9; ++s) {
      EXPECT_EQ(pixels(a[epoch * 9 + s]), expected_batch(samples, order, s, batch, 9, epoch))
          << "epoch " << epoch << " step " << s;
      for (int j = 0; j < batch; ++j)
        EXPECT_EQ(labels[(epoch * 9 + s) * batch + j], samples[order[s * batch + j]].label);
    }
  }
  // The dataset itself is untouched by in-place augmentation.
  EXPECT_EQ(cv::norm(samples[0].image, random_samples(37)[0].image, cv::NORM_INF), 0);

  BatchLoader other_seed(samples, kShape, batch, 3, Augmentation(scramble), 10, 2);
  EXPECT_NE(all_batches(other_seed, 3, batch), a);
}

TEST(BatchLoader, BatchStepSeesOneHotTargetsAndItsOwnGenerator) {
  const auto samples = random_samples(37);
  const int batch = 4;
  auto batch_step = [](BatchTensor& t, Rng& rng) {
    // Records the generator's first draw in the first pixel; halves every target row.
    t.images[0] = static_cast<float>(rng() % 1000);
    for (int e = 0; e < t.batch * t.classes; ++e) t.targets[e] *= 0.5f;
  };
  for (int threads : {1, 2}) {
    BatchLoader loader(samples, kShape, batch, 3, Augmentation({}, batch_step), 4, threads);
    std::vector<std::size_t> order(37);
    std::iota(order.begin(), order.end(), 0);
    loader.start_epoch(order, 2);
    std::vector<float> input(batch * 30), targets(batch * 3);
    std::vector<int> labels(batch);
    for (std::size_t s = 0; s < loader.steps(); ++s) {
      loader.next(input.data(), labels.data(), targets.data());
      Rng rng(engine::batch_augment_seed(4, 2, s));
      EXPECT_EQ(input[0], static_cast<float>(rng() % 1000)) << "step " << s;
      EXPECT_EQ(std::lround(input[1] * 255.f), samples[s * batch].image.data[1]);
      for (int j = 0; j < batch; ++j)
        for (int k = 0; k < 3; ++k)
          EXPECT_EQ(targets[j * 3 + k], k == samples[s * batch + j].label ? 0.5f : 0.f);
    }
  }
}

TEST(BatchLoader, RethrowsWhatAnAugmenterThrew) {
  const auto samples = random_samples(37);
  auto failing = [](cv::Mat&, Rng&) { throw std::runtime_error("augmenter failed on purpose"); };
  BatchLoader loader(samples, kShape, 4, 3, Augmentation(failing), 1, 2);
  std::vector<std::size_t> order(37);
  std::iota(order.begin(), order.end(), 0);
  loader.start_epoch(order, 0);
  std::vector<float> input(4 * 30);
  std::vector<int> labels(4);
  EXPECT_THROW(loader.next(input.data(), labels.data()), std::runtime_error);
}

}  // namespace
}  // namespace ferlab::test
