// Loss, optimizers, schedules and the trainer: formulas checked by hand, a tiny network
// learning a synthetic problem, one-thread determinism, best-weight selection, prediction.
#include <atomic>

#include "engine/initialize.hpp"
#include "engine/loss.hpp"
#include "engine/optimizer.hpp"
#include "engine/schedule.hpp"
#include "engine/trainer.hpp"
#include "engine_fixture.hpp"
#include "metrics/metrics.hpp"
#include "tiny_problem.hpp"

namespace ferlab::test {
namespace {

// Every layer may use every thread, however little its work: the two-thread tests below must
// split the tiny network's layers (read once, at the first Network::prepare).
const bool every_layer_threaded = setenv("FERLAB_SINGLE_THREAD_WORK", "0", 1) == 0;

using namespace ferlab::engine;
using ferlab::assembly::catalog_layer_factory;
using namespace ferlab::metrics;

TEST(Loss, MatchesHandComputedCrossEntropyAndGradient) {
  const std::vector<float> logits{1.f, 2.f, 0.5f, -1.f, 0.f, 3.f};
  const std::vector<int> labels{1, 2};
  std::vector<float> grad(6), probs(6);
  const double loss =
      softmax_cross_entropy(logits.data(), labels.data(), 2, 3, {}, grad.data(), probs.data());
  auto log_softmax = [&](int row, int k) {
    double sum = 0;
    for (int j = 0; j < 3; ++j) sum += std::exp(logits[row * 3 + j]);
    return logits[row * 3 + k] - std::log(sum);
  };
  EXPECT_NEAR(loss, -(log_softmax(0, 1) + log_softmax(1, 2)) / 2, 1e-6);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 3; ++k) {
      const double p = std::exp(log_softmax(i, k));
      EXPECT_NEAR(probs[i * 3 + k], p, 1e-6);
      EXPECT_NEAR(grad[i * 3 + k], (p - (k == labels[i])) / 2, 1e-6);
    }
}

TEST(Loss, SmoothingAndClassWeightsMatchFiniteDifferences) {
  std::vector<float> logits{0.3f, -1.2f, 2.f, 0.1f, 0.7f, 0.2f, -0.4f, 1.1f, -2.f, 0.5f, 0.f, 0.9f};
  const std::vector<int> labels{2, 0, 3};
  LossOptions options{0.1, {0.5f, 1.f, 2.f, 1.5f}};
  std::vector<float> grad(logits.size());
  const double loss =
      softmax_cross_entropy(logits.data(), labels.data(), 3, 4, options, grad.data());
  // Smoothed targets for row 0 (label 2): 0.025 everywhere, 0.925 for the label.
  double row0 = 0, sum = 0;
  for (int k = 0; k < 4; ++k) sum += std::exp(logits[k]);
  for (int k = 0; k < 4; ++k) row0 -= (k == 2 ? 0.925 : 0.025) * (logits[k] - std::log(sum));
  std::vector<float> one_row(logits.begin(), logits.begin() + 4);
  EXPECT_NEAR(softmax_cross_entropy(one_row.data(), labels.data(), 1, 4, {0.1, {}}, nullptr), row0,
              1e-6);
  for (std::size_t e = 0; e < logits.size(); ++e) {
    const float saved = logits[e];
    logits[e] = saved + 1e-3f;
    const double plus = softmax_cross_entropy(logits.data(), labels.data(), 3, 4, options, nullptr);
    logits[e] = saved - 1e-3f;
    const double minus =
        softmax_cross_entropy(logits.data(), labels.data(), 3, 4, options, nullptr);
    logits[e] = saved;
    EXPECT_NEAR(grad[e], (plus - minus) / 2e-3, 1e-3) << "logit " << e;
  }
  EXPECT_GT(loss, 0);
}

TEST(Loss, BalancedWeightsAreInverseFrequency) {
  const auto w = balanced_class_weights({0, 0, 0, 1, 2, 2}, 4);
  EXPECT_FLOAT_EQ(w[0], 6.f / (4 * 3));
  EXPECT_FLOAT_EQ(w[1], 6.f / (4 * 1));
  EXPECT_FLOAT_EQ(w[2], 6.f / (4 * 2));
  EXPECT_FLOAT_EQ(w[3], 0.f);
}

TEST(Metrics, AccuracyAndMacroF1) {
  Confusion c(3);
  // truth 0: predicted 0, 0, 1; truth 1: 1; truth 2: 0.
  c.add(0, 0), c.add(0, 0), c.add(0, 1), c.add(1, 1), c.add(2, 0);
  EXPECT_DOUBLE_EQ(c.accuracy(), 3.0 / 5);
  // F1: class 0 = 2*2/(3+3), class 1 = 2*1/(1+2), class 2 = 0.
  EXPECT_NEAR(c.macro_f1(), (4.0 / 6 + 2.0 / 3 + 0) / 3, 1e-12);
}

// A class that neither the truth nor the predictions contain is left out of the mean (as
// scikit-learn does with the labels it sees); one only predicted, or only true, counts as 0.
TEST(Metrics, MacroF1LeavesOutClassesAbsentFromTruthAndPredictions) {
  Confusion c(5);
  c.add(0, 0), c.add(1, 1), c.add(2, 0), c.add(0, 4);  // class 3 absent; 4 only predicted
  // F1: class 0 = 2*1/(2+2), class 1 = 1, class 2 = 0 (never predicted), class 4 = 0.
  EXPECT_NEAR(c.macro_f1(), (0.5 + 1 + 0 + 0) / 4, 1e-12);
}

// One parameter tensor of two elements, driven by hand.
struct ScalarParameter {
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  Parameter p;
  ScalarParameter(float w0, float w1, bool decay = true) {
    const dnnl::memory::desc d({2}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
    p.value = dnnl::memory(d, eng);
    p.grad = dnnl::memory(d, eng);
    p.weight_decay = decay;
    w()[0] = w0, w()[1] = w1;
  }
  float* w() { return static_cast<float*>(p.value.get_data_handle()); }
  float* g() { return static_cast<float*>(p.grad.get_data_handle()); }
};

TEST(Optimizer, SgdMomentumNesterovAndWeightDecay) {
  ScalarParameter x(1.f, -2.f);
  OptimizerOptions o;
  o.name = options::Optimizer::sgd, o.momentum = 0.9, o.weight_decay = 0.1;
  Optimizer sgd(o, {&x.p});
  x.g()[0] = 0.5f, x.g()[1] = 0.f;
  sgd.step(0.1);  // v = g + wd w = 0.6, -0.2
  EXPECT_FLOAT_EQ(x.w()[0], 1.f - 0.1f * 0.6f);
  EXPECT_FLOAT_EQ(x.w()[1], -2.f + 0.1f * 0.2f);
  sgd.step(0.1);  // v = 0.9 * 0.6 + (0.5 + 0.1 * 0.94) = 1.134
  EXPECT_NEAR(x.w()[0], 0.94 - 0.1 * 1.134, 1e-6);

  ScalarParameter y(1.f, 0.f, false);
  o.nesterov = true;
  Optimizer nesterov(o, {&y.p});
  y.g()[0] = 0.5f, y.g()[1] = 0.f;
  nesterov.step(0.1);  // no decay on this one: v = 0.5, step along g + mu v = 0.95
  EXPECT_FLOAT_EQ(y.w()[0], 1.f - 0.1f * 0.95f);
}

// Three steps of SGD with Nesterov momentum and L2 weight decay against PyTorch's update
// (torch.optim.SGD), written out in double: g = grad + wd w; v = mu v + g (v = g at first);
// w -= lr (g + mu v). Different gradients each step; one element without decay.
TEST(Optimizer, NesterovWithWeightDecayFollowsPyTorchOverThreeSteps) {
  const double lr = 0.05, mu = 0.9, wd = 0.01;
  const double grads[3][2] = {{0.5, -1.0}, {-0.25, 0.75}, {1.5, 0.1}};
  ScalarParameter x(1.f, -2.f), undecayed(1.f, -2.f, false);
  OptimizerOptions o;
  o.name = options::Optimizer::sgd, o.momentum = mu, o.nesterov = true, o.weight_decay = wd;
  Optimizer sgd(o, {&x.p, &undecayed.p});
  double w[2][2] = {{1, -2}, {1, -2}}, v[2][2] = {{0, 0}, {0, 0}};
  for (int step = 0; step < 3; ++step) {
    for (int e = 0; e < 2; ++e) {
      x.g()[e] = static_cast<float>(grads[step][e]);
      undecayed.g()[e] = static_cast<float>(grads[step][e]);
    }
    sgd.step(lr);
    for (int which = 0; which < 2; ++which)
      for (int e = 0; e < 2; ++e) {
        const double g = grads[step][e] + (which == 0 ? wd * w[which][e] : 0);
        v[which][e] = step == 0 ? g : mu * v[which][e] + g;
        w[which][e] -= lr * (g + mu * v[which][e]);
      }
    for (int e = 0; e < 2; ++e) {
      EXPECT_NEAR(x.w()[e], w[0][e], 1e-6) << "step " << step + 1 << " element " << e;
      EXPECT_NEAR(undecayed.w()[e], w[1][e], 1e-6) << "step " << step + 1 << " element " << e;
    }
  }
  EXPECT_GT(std::abs(w[0][1] - w[1][1]), 1e-4) << "decay must make a difference here";
}

TEST(Optimizer, AdamFirstStepIsLrTimesSignAndAdamwDecaysDecoupled) {
  ScalarParameter x(1.f, 1.f);
  OptimizerOptions o;
  o.name = options::Optimizer::adam;
  Optimizer adam(o, {&x.p});
  x.g()[0] = 0.3f, x.g()[1] = -20.f;
  adam.step(0.01);
  EXPECT_NEAR(x.w()[0], 1 - 0.01, 1e-6);
  EXPECT_NEAR(x.w()[1], 1 + 0.01, 1e-6);

  ScalarParameter y(2.f, 2.f);
  o.name = options::Optimizer::adamw, o.weight_decay = 0.5;
  Optimizer adamw(o, {&y.p});
  y.g()[0] = 0.3f, y.g()[1] = 0.f;
  adamw.step(0.01);  // w *= 1 - lr * wd, then the Adam step (0 for a zero gradient)
  EXPECT_NEAR(y.w()[0], 2 * (1 - 0.005) - 0.01, 1e-6);
  EXPECT_NEAR(y.w()[1], 2 * (1 - 0.005), 1e-6);
}

TEST(Optimizer, ClippingScalesToTheGlobalNorm) {
  ScalarParameter x(0.f, 0.f), y(0.f, 0.f);
  x.g()[0] = 3.f, x.g()[1] = 0.f, y.g()[0] = 0.f, y.g()[1] = 4.f;
  EXPECT_DOUBLE_EQ(clip_gradients({&x.p, &y.p}, 1.0), 5.0);
  EXPECT_FLOAT_EQ(x.g()[0], 0.6f);
  EXPECT_FLOAT_EQ(y.g()[1], 0.8f);
}

TEST(Schedule, StepMultistepCosineWarmupPlateau) {
  ScheduleOptions s;
  s.name = options::Schedule::step, s.step_size = 2, s.gamma = 0.5;
  LrSchedule step(s, 1.0, 10);
  EXPECT_DOUBLE_EQ(step.lr(0), 1.0);
  EXPECT_DOUBLE_EQ(step.lr(3), 0.5);
  EXPECT_DOUBLE_EQ(step.lr(4), 0.25);

  s.name = options::Schedule::multistep, s.milestones = {1, 5}, s.gamma = 0.1;
  LrSchedule multi(s, 1.0, 10);
  EXPECT_DOUBLE_EQ(multi.lr(0), 1.0);
  EXPECT_NEAR(multi.lr(4), 0.1, 1e-12);
  EXPECT_NEAR(multi.lr(5), 0.01, 1e-12);

  s = ScheduleOptions{};
  s.name = options::Schedule::cosine, s.warmup_epochs = 2, s.min_lr = 0.0;
  LrSchedule cosine(s, 1.0, 10);
  EXPECT_DOUBLE_EQ(cosine.lr(0), 0.1);
  EXPECT_DOUBLE_EQ(cosine.lr(1), 0.55);
  EXPECT_DOUBLE_EQ(cosine.lr(2), 1.0);
  EXPECT_NEAR(cosine.lr(6), 0.5, 1e-12);

  s = ScheduleOptions{};
  s.name = options::Schedule::plateau, s.patience = 2, s.factor = 0.5;
  LrSchedule plateau(s, 1.0, 10);
  plateau.observe(true);
  plateau.observe(false);
  EXPECT_DOUBLE_EQ(plateau.lr(2), 1.0);
  plateau.observe(false);
  EXPECT_DOUBLE_EQ(plateau.lr(3), 0.5);
}

// The FER2013 recipes' combinations: plateau with warm-up and a floor, cosine with a floor.
TEST(Schedule, PlateauWithWarmupAndFloorAndCosineWithFloor) {
  ScheduleOptions s;
  s.name = options::Schedule::plateau, s.warmup_epochs = 2, s.patience = 1, s.factor = 0.1,
  s.min_lr = 0.05;
  LrSchedule plateau(s, 1.0, 10);
  EXPECT_DOUBLE_EQ(plateau.lr(0), 0.1);  // warm-up from lr / 10
  EXPECT_DOUBLE_EQ(plateau.lr(1), 0.55);
  plateau.observe(true), plateau.observe(true);
  EXPECT_DOUBLE_EQ(plateau.lr(2), 1.0);
  plateau.observe(false);  // patience 1: cut at once
  EXPECT_NEAR(plateau.lr(3), 0.1, 1e-12);
  plateau.observe(true);  // an improvement resets the count, not the rate
  EXPECT_NEAR(plateau.lr(4), 0.1, 1e-12);
  plateau.observe(false);  // 0.01 would be below the floor
  EXPECT_DOUBLE_EQ(plateau.lr(5), 0.05);
  plateau.observe(false);
  EXPECT_DOUBLE_EQ(plateau.lr(6), 0.05);

  s = ScheduleOptions{};
  s.name = options::Schedule::cosine, s.warmup_epochs = 1, s.min_lr = 0.2;
  LrSchedule cosine(s, 1.0, 5);  // cosine over epochs 1..5 (span 4)
  EXPECT_DOUBLE_EQ(cosine.lr(0), 0.1);
  EXPECT_DOUBLE_EQ(cosine.lr(1), 1.0);
  EXPECT_NEAR(cosine.lr(3), 0.2 + 0.8 * 0.5, 1e-12);  // half way: t = 2/4
  EXPECT_NEAR(cosine.lr(4), 0.2 + 0.8 * (1 + std::cos(std::acos(-1.0) * 0.75)) / 2, 1e-12);
}

TEST(Initialize, HeXavierAndPytorchHaveTheirSpreadAndAreSeeded) {
  const InputShape shape{1, 48, 48};
  engine::Network net(backbone_def("seed-cnn", {}, shape, 7), catalog_layer_factory(catalog()),
                      shape);
  auto fc = net.parameters()[6];  // fc weights: fan-in 4608, fan-out 256
  ASSERT_EQ(fc->fan_in, 4608);
  auto stddev = [&] {
    const float* w = static_cast<const float*>(fc->value.get_data_handle());
    double sum = 0;
    for (int i = 0; i < 4608 * 256; ++i) sum += static_cast<double>(w[i]) * w[i];
    return std::sqrt(sum / (4608 * 256));
  };
  initialize_parameters(net.parameters(), options::Init::he, 3);
  EXPECT_NEAR(stddev(), std::sqrt(2.0 / 4608), 1e-3 * std::sqrt(2.0 / 4608) * 10);
  const float first = static_cast<const float*>(fc->value.get_data_handle())[0];
  initialize_parameters(net.parameters(), options::Init::xavier, 3);
  EXPECT_NEAR(stddev(), std::sqrt(6.0 / (4608 + 256)) / std::sqrt(3.0), 1e-4);
  // U(+-b) has standard deviation b / sqrt(3); torch.nn.Linear's bound is 1 / sqrt(fan_in).
  initialize_parameters(net.parameters(), options::Init::pytorch, 3);
  EXPECT_NEAR(stddev(), 1.0 / std::sqrt(4608.0) / std::sqrt(3.0), 1e-4);
  float largest = 0;
  for (int i = 0; i < 4608 * 256; ++i)
    largest =
        std::max(largest, std::abs(static_cast<const float*>(fc->value.get_data_handle())[i]));
  EXPECT_LE(largest, 1.0 / std::sqrt(4608.0));
  EXPECT_GT(largest, 0.99 / std::sqrt(4608.0));
  initialize_parameters(net.parameters(), options::Init::he, 3);
  EXPECT_EQ(static_cast<const float*>(fc->value.get_data_handle())[0], first);
  EXPECT_EQ(static_cast<const float*>(net.parameters()[1]->value.get_data_handle())[0], 0.f);
}

TEST(Trainer, TinyNetworkLearnsTheSyntheticProblem) {
  const InputShape shape{1, 8, 8};
  engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), shape);
  initialize_parameters(net.parameters(), options::Init::he, 11);
  const auto train = quadrant_samples(64, 1), val = quadrant_samples(32, 2);
  TrainOptions options = adam_options(40);
  options.select_on = options::SelectOn::val_loss;
  Trainer trainer(net, options, 4, 11);
  int calls = 0;
  const TrainResult result = trainer.fit(train, val, {}, [&](const EpochStats& e) {
    ++calls;
    EXPECT_EQ(e.epoch, calls);
    EXPECT_GT(e.images_per_second, 0);
    EXPECT_DOUBLE_EQ(e.lr, 0.01);
  });
  ASSERT_EQ(calls, 40);
  const EpochStats& last = result.history.back();
  EXPECT_LT(last.train_loss, 0.05);
  EXPECT_DOUBLE_EQ(last.train_accuracy, 1.0);
  EXPECT_LT(result.history.front().train_accuracy, 0.9);
  const Evaluation e = evaluate(net, val, 4, 16);
  EXPECT_DOUBLE_EQ(e.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(e.macro_f1, 1.0);
  EXPECT_LT(e.loss, 0.01);
  EXPECT_NEAR(e.loss, result.history[result.best_epoch - 1].val_loss, 1e-6);

  const auto probabilities = predict(net, val, 7);  // a batch that leaves a partial one
  ASSERT_EQ(probabilities.size(), val.size());
  for (std::size_t i = 0; i < val.size(); ++i) {
    float sum = 0;
    for (float p : probabilities[i]) sum += p;
    EXPECT_NEAR(sum, 1.f, 1e-5);
    EXPECT_EQ(argmax(probabilities[i].data(), 4), e.predictions[i]);
  }
}

TEST(Trainer, SameSeedGivesIdenticalWeightsWithOneThread) {
  ASSERT_EQ(max_threads(), 1);
  const auto train = quadrant_samples(48, 1), val = quadrant_samples(16, 2);
  auto run = [&](std::uint64_t seed, const std::string& optimizer = "adam") {
    engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
    initialize_parameters(net.parameters(), options::Init::he, seed);
    TrainOptions o = adam_options(3);
    o.optimizer.name = *options::parse<options::Optimizer>(optimizer);
    o.batch = 10;                    // leaves a remainder, skipped
    std::atomic<int> augmented = 0;  // the loader augments on 2 threads
    Trainer(net, o, 4, seed).fit(train, val, [&](cv::Mat& image, Rng& rng) {
      ++augmented;
      if (rng() % 2) cv::flip(image, image, 1);
    });
    EXPECT_EQ(augmented, 3 * 40);
    return all_weights(net);
  };
  const auto a = run(5), b = run(5), c = run(6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // Two threads split sums differently: the same weights up to float noise. (SGD: Adam's
  // normalised steps turn noise in near-zero gradients into full-size steps.)
  const auto one = run(5, "sgd");
  ASSERT_TRUE(set_threads(2));
  const auto two = run(5, "sgd");
  set_threads(1);
  // The comparison says something only if layers really split their work over the 2 threads
  // (this binary sets FERLAB_SINGLE_THREAD_WORK=0 before any network is prepared).
  engine::Network probe(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  probe.prepare(10);
  for (const LayerSummary& layer : probe.summary())
    EXPECT_FALSE(layer.single_thread) << layer.name << " would run on one thread";
  ASSERT_EQ(two.size(), one.size());
  for (std::size_t i = 0; i < one.size(); ++i)
    ASSERT_NEAR(two[i], one[i], 1e-4 * (1 + std::abs(one[i]))) << "weight " << i;
}

TEST(Trainer, KeepsTheBestEpochAndStopsEarly) {
  const auto train = quadrant_samples(32, 1), val = quadrant_samples(16, 2);
  engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  initialize_parameters(net.parameters(), options::Init::he, 2);
  TrainOptions o = adam_options(30);
  o.optimizer.lr = 0.5;  // far too high: the validation loss gets worse after a few epochs
  o.select_on = options::SelectOn::val_loss;
  o.early_stopping_patience = 3;
  Trainer trainer(net, o, 4, 2);
  const TrainResult result = trainer.fit(train, val);
  ASSERT_GE(result.best_epoch, 1);
  const EpochStats& best = result.history[result.best_epoch - 1];
  EXPECT_TRUE(best.best);
  for (const EpochStats& e : result.history) EXPECT_GE(e.val_loss, best.val_loss);
  ASSERT_TRUE(result.stopped_early) << "30 epochs at this rate must stop early";
  EXPECT_EQ(static_cast<int>(result.history.size()), result.best_epoch + 3);
  // The network holds the best epoch's weights again.
  EXPECT_NEAR(evaluate(net, val, 4, 16).loss, best.val_loss, 1e-5);
}

TEST(Trainer, EarlyStoppingStopsWhenNothingImproves) {
  const auto train = quadrant_samples(16, 1), val = quadrant_samples(8, 2);
  // Without batchnorm: its running statistics would change even at learning rate 0.
  engine::Network net(tiny_cnn(false), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  initialize_parameters(net.parameters(), options::Init::he, 2);
  TrainOptions o = adam_options(10);
  o.optimizer.lr = 0;  // nothing changes, so nothing improves after epoch 1
  o.select_on = options::SelectOn::val_loss;
  o.early_stopping_patience = 2;
  const TrainResult result = Trainer(net, o, 4, 2).fit(train, val);
  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(result.history.size(), 3u);
  EXPECT_EQ(result.best_epoch, 1);
}

TEST(Trainer, FrozenLayersKeepTheirWeights) {
  engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  initialize_parameters(net.parameters(), options::Init::he, 4);
  auto values = [&](const std::string& name) {
    for (const auto& [n, p] : net.named_parameters())
      if (n == name) {
        const float* w = static_cast<const float*>(p->value.get_data_handle());
        return std::vector<float>(w, w + p->value.get_desc().get_size() / sizeof(float));
      }
    return std::vector<float>{};
  };
  const auto conv = values("conv/weights"), bn = values("bn/scale"),
             head = values("logits/weights");
  TrainOptions o = adam_options(2);
  o.freeze = {"conv", "b*"};
  Trainer(net, o, 4, 4).fit(quadrant_samples(32, 1), {});
  EXPECT_EQ(values("conv/weights"), conv);
  EXPECT_EQ(values("bn/scale"), bn);
  EXPECT_NE(values("logits/weights"), head);
  o.freeze = {"con"};
  EXPECT_THROW(Trainer(net, o, 4, 4).fit(quadrant_samples(32, 1), {}), std::invalid_argument);
}

TEST(Trainer, FreezingTheFirstStagesKeepsExactlyTheirWeights) {
  const InputShape shape{1, 8, 8};
  Overrides small{{"widths", std::vector<std::int64_t>{4, 4, 4}}, {"dense", std::int64_t{8}}};
  engine::Network net(backbone_def("seed-cnn", small, shape, 4), catalog_layer_factory(catalog()),
                      shape);
  initialize_parameters(net.parameters(), options::Init::he, 4);
  auto weights = [&](const std::string& layer) {
    for (const auto& [n, p] : net.named_parameters())
      if (n == layer + "/weights") {
        const float* w = static_cast<const float*>(p->value.get_data_handle());
        return std::vector<float>(w, w + p->value.get_desc().get_size() / sizeof(float));
      }
    return std::vector<float>{};
  };
  EXPECT_EQ(net.stage_of("conv1"), 1);
  EXPECT_EQ(net.stage_of("pool3"), 3);
  EXPECT_EQ(net.stage_of("logits"), 0) << "the head is never a stage";
  const auto conv1 = weights("conv1"), conv2 = weights("conv2"), conv3 = weights("conv3"),
             fc = weights("fc");
  TrainOptions o = adam_options(2);
  o.freeze_stages = 2;
  Trainer(net, o, 4, 4).fit(quadrant_samples(32, 1), {});
  EXPECT_EQ(weights("conv1"), conv1);
  EXPECT_EQ(weights("conv2"), conv2);
  EXPECT_NE(weights("conv3"), conv3);
  EXPECT_NE(weights("fc"), fc);
}

TEST(Trainer, RejectsBadLabelsAndMismatchedClasses) {
  engine::Network net(tiny_cnn(), catalog_layer_factory(catalog()), InputShape{1, 8, 8});
  EXPECT_THROW(Trainer(net, adam_options(1), 7, 1), std::invalid_argument);
  auto train = quadrant_samples(8, 1);
  train[3].label = 9;
  Trainer trainer(net, adam_options(1), 4, 1);
  EXPECT_THROW(trainer.fit(train, {}), std::invalid_argument);
}

}  // namespace
}  // namespace ferlab::test
