// Knowledge distillation: the loss against hand-computed values and finite differences, weight
// 0 equal to plain training bit for bit, and a teacher that decides what the student learns.
#include <gmock/gmock.h>

#include "engine/initialize.hpp"
#include "engine/loss.hpp"
#include "engine/trainer.hpp"
#include "engine_fixture.hpp"
#include "tiny_problem.hpp"

namespace ferlab::test {
namespace {

using namespace ferlab::engine;
using ferlab::assembly::catalog_layer_factory;

TEST(DistillationLoss, MatchesKullbackLeiblerComputedByHand) {
  // One row, 3 classes, temperature 2. Teacher probabilities p soften to p^(1/2), renormalised.
  const std::vector<float> logits{1.f, -0.5f, 2.f};
  const std::vector<float> teacher{0.7f, 0.2f, 0.1f};
  const double T = 2;
  double t[3], q[3], tsum = 0, qsum = 0;
  for (int k = 0; k < 3; ++k) tsum += t[k] = std::sqrt(teacher[k]);
  for (int k = 0; k < 3; ++k) qsum += q[k] = std::exp(logits[k] / T);
  double kl = 0;
  for (int k = 0; k < 3; ++k) kl += t[k] / tsum * std::log((t[k] / tsum) / (q[k] / qsum));
  std::vector<float> grad(3, 0.f);
  EXPECT_NEAR(distillation_loss(logits.data(), teacher.data(), 1, 3, T, 1.0, grad.data()),
              T * T * kl, 1e-6);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(grad[k], T * (q[k] / qsum - t[k] / tsum), 1e-6);
  // A student that already agrees with the teacher (at T = 1) has nothing to learn.
  std::vector<float> agreeing(3);
  for (int k = 0; k < 3; ++k) agreeing[k] = std::log(teacher[k]) + 0.3f;
  std::fill(grad.begin(), grad.end(), 0.f);
  EXPECT_NEAR(distillation_loss(agreeing.data(), teacher.data(), 1, 3, 1.0, 1.0, grad.data()), 0,
              1e-6);
  for (float g : grad) EXPECT_NEAR(g, 0, 1e-6);
}

TEST(DistillationLoss, GradientMatchesFiniteDifferencesAndIsAddedWithItsWeight) {
  std::vector<float> logits{0.3f, -1.2f, 2.f, 0.1f, 0.7f, 0.2f, -0.4f, 1.1f};
  const std::vector<float> teacher{0.1f, 0.2f, 0.6f, 0.1f, 0.0f, 0.5f, 0.25f, 0.25f};
  const double T = 3, weight = 0.4;
  std::vector<float> grad(logits.size(), 1.f);  // added to: starts from 1
  distillation_loss(logits.data(), teacher.data(), 2, 4, T, weight, grad.data());
  for (std::size_t e = 0; e < logits.size(); ++e) {
    const float saved = logits[e];
    logits[e] = saved + 1e-3f;
    const double plus = distillation_loss(logits.data(), teacher.data(), 2, 4, T, 1, nullptr);
    logits[e] = saved - 1e-3f;
    const double minus = distillation_loss(logits.data(), teacher.data(), 2, 4, T, 1, nullptr);
    logits[e] = saved;
    EXPECT_NEAR(grad[e], 1 + weight * (plus - minus) / 2e-3, 1e-3) << "logit " << e;
  }
}

// Which quadrant of the 8x8 input tensor is brightest: the tiny problem's true class.
int brightest_quadrant(const float* image) {
  double sums[4] = {0, 0, 0, 0};
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) sums[(y / 4) * 2 + x / 4] += image[y * 8 + x];
  return static_cast<int>(std::max_element(sums, sums + 4) - sums);
}

// A confident teacher that names class (true + shift) % 4, and counts its calls.
Teacher shifted_teacher(int shift, int* calls) {
  return [shift, calls](const float* input, int batch, float* probabilities) {
    ++*calls;
    for (int i = 0; i < batch; ++i) {
      const int taught = (brightest_quadrant(input + i * 64) + shift) % 4;
      for (int k = 0; k < 4; ++k) probabilities[i * 4 + k] = k == taught ? 0.97f : 0.01f;
    }
  };
}

// Trains the tiny network with `teacher` (none when empty); `keep` receives the network. With
// `labelled_val` false the best epoch is chosen on the training loss (the distilled loss).
std::vector<float> train_weights(const TrainOptions& options, Teacher teacher,
                                 engine::Network* keep = nullptr, bool labelled_val = true) {
  const auto train = quadrant_samples(48, 1);
  const auto val = labelled_val ? quadrant_samples(16, 2) : std::vector<Sample>{};
  engine::Network own(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  engine::Network& net = keep ? *keep : own;
  initialize_parameters(net.parameters(), options::Init::he, 3);
  Trainer trainer(net, options, 4, 3);
  if (teacher) trainer.set_teacher(std::move(teacher));
  trainer.fit(train, val, [](cv::Mat& image, Rng& rng) {
    if (rng() % 2) cv::flip(image, image, 1);  // the teacher must see the flipped batch
  });
  return all_weights(net);
}

// Trains on the tiny problem without augmentation, distilling from a teacher that reads each
// batch or from `targets` fixed per training image (row i for train[i]).
std::vector<float> train_unaugmented(const TrainOptions& options, Teacher teacher,
                                     std::vector<float> targets = {}) {
  engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  initialize_parameters(net.parameters(), options::Init::he, 3);
  Trainer trainer(net, options, 4, 3);
  if (teacher) trainer.set_teacher(std::move(teacher));
  if (!targets.empty()) trainer.set_teacher_targets(std::move(targets));
  trainer.fit(quadrant_samples(48, 1), quadrant_samples(16, 2));
  return all_weights(net);
}

// shifted_teacher's answer for each training image, written down once: class (label + shift).
std::vector<float> shifted_targets(int shift) {
  std::vector<float> rows;
  for (const Sample& s : quadrant_samples(48, 1))
    for (int k = 0; k < 4; ++k) rows.push_back(k == (s.label + shift) % 4 ? 0.97f : 0.01f);
  return rows;
}

// Three epochs of Adam on the tiny problem, distilling at `temperature` with `weight`.
TrainOptions distill_options(double temperature, double weight) {
  TrainOptions options = adam_options(3);
  options.distill.temperature = temperature;
  options.distill.weight = weight;
  return options;
}

TEST(Distillation, TemperatureOneAndWeightZeroEqualsPlainTraining) {
  ASSERT_EQ(max_threads(), 1);
  TrainOptions options = distill_options(1, 0);
  int calls = 0;
  const auto plain = train_weights(options, {});
  const auto distilled = train_weights(options, shifted_teacher(1, &calls));
  EXPECT_EQ(calls, 3 * 3);  // 48 samples, batch 16: 3 steps per epoch
  EXPECT_EQ(plain, distilled);
  // The control: the same teacher with weight 0.5 changes the weights.
  options.distill.weight = 0.5;
  EXPECT_NE(train_weights(options, shifted_teacher(1, &calls)), plain);
}

// sees: original. Each epoch shuffles the images; a target row must follow its own image.
TEST(Distillation, TargetsFixedPerImageTrainAsATeacherReadingEachBatch) {
  ASSERT_EQ(max_threads(), 1);
  const TrainOptions options = distill_options(2, 0.6);
  int calls = 0;
  const auto reading = train_unaugmented(options, shifted_teacher(1, &calls));
  EXPECT_EQ(calls, 3 * 3);
  EXPECT_EQ(train_unaugmented(options, {}, shifted_targets(1)), reading);
  // The control: other targets train other weights.
  EXPECT_NE(train_unaugmented(options, {}, shifted_targets(2)), reading);
}

TEST(Distillation, TargetsFixedPerImageAreRefusedWithTheWrongSizeOrAMixingAugmenter) {
  TrainOptions options = adam_options(1);
  auto targets = shifted_targets(1);
  targets.pop_back();
  EXPECT_THAT([&] { train_unaugmented(options, {}, targets); },
              testing::ThrowsMessage<std::invalid_argument>(testing::HasSubstr(
                  "191 probabilities, not one row of 4 for each of 48 training images")));
  engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  Trainer trainer(net, options, 4, 3);
  trainer.set_teacher_targets(shifted_targets(1));
  const Augmentation mixing(Augment{}, [](BatchTensor&, Rng&) {});
  EXPECT_THROW(trainer.fit(quadrant_samples(48, 1), {}, mixing), std::invalid_argument);
}

TEST(Distillation, WithWeightOneTheStudentLearnsWhatTheTeacherSays) {
  // The teacher names the next quadrant's class; the labels say the true one. With weight 1 the
  // labels play no part: the student must learn the teacher's shifted mapping.
  TrainOptions options = adam_options(25);
  options.distill.temperature = 2;
  options.distill.weight = 1;
  options.select_on = options::SelectOn::val_loss;  // without val: the training (distillation) loss
  int calls = 0;
  engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  train_weights(options, shifted_teacher(1, &calls), &net, false);
  const auto val = quadrant_samples(40, 7);
  const Evaluation e = evaluate(net, val, 4, 8);
  int shifted = 0;
  for (std::size_t i = 0; i < val.size(); ++i)
    shifted += e.predictions[i] == (val[i].label + 1) % 4;
  EXPECT_GE(shifted, 36) << "of 40 predictions follow the teacher";
  EXPECT_LE(e.accuracy, 0.1);
}

}  // namespace
}  // namespace ferlab::test
