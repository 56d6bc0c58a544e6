// Resuming training from a checkpoint's training state: stopping after any epoch, writing the
// last checkpoint, and continuing in a fresh network and trainer gives, with one thread, the
// same weights and epoch figures as never stopping.
#include <gmock/gmock.h>
#include <unistd.h>

#include <filesystem>

#include "engine/checkpoint.hpp"
#include "engine/initialize.hpp"
#include "engine/threads.hpp"
#include "engine/trainer.hpp"
#include "engine/training_state.hpp"
#include "tiny_problem.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;
using namespace ferlab::engine;
using ferlab::assembly::catalog_layer_factory;

struct Stop {};  // thrown from the epoch callback: the process "dies" after that epoch

struct Outcome {
  std::vector<EpochStats> history;  // every epoch, across the interruption
  std::vector<float> weights;       // after fit: the best epoch's
  int best_epoch = 0;
  bool stopped_early = false;
};

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(max_threads(), 1);
    file_ = fs::temp_directory_path() /
            ("ferlab-resume-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".ferlab");
  }
  void TearDown() override { fs::remove(file_); }

  std::unique_ptr<Network> fresh_network() {
    auto net = std::make_unique<Network>(tiny_cnn(), catalog_layer_factory(catalog()),
                                         InputShape{1, 8, 8});
    initialize_parameters(net->parameters(), options::Init::he, 7);
    return net;
  }

  // Dropout, per-image augmentation and a plateau schedule: every random stream and every
  // piece of optimizer and schedule state matters for the continuation.
  static Augmentation flips() {
    Augmentation a;
    a.image = [](cv::Mat& image, Rng& rng) {
      if (rng() % 2) cv::flip(image, image, 1);
    };
    return a;
  }

  // Trains `options` from scratch; with stop_after > 0, stops after that epoch (writing the
  // last checkpoint with its training state, as a run does) and resumes from the file.
  Outcome train(const TrainOptions& options, int stop_after) {
    Outcome out;
    auto record = [&](const EpochStats& e) { out.history.push_back(e); };
    auto net = fresh_network();
    Trainer first(*net, options, 4, 9);
    TrainResult result;
    try {
      result = first.fit(train_, val_, flips(), [&](const EpochStats& e) {
        record(e);
        if (e.epoch == stop_after) {
          CheckpointInfo info;
          info.epoch = e.epoch;
          store_training_state(first.state(), info);
          save_checkpoint(file_, *net, info);
          throw Stop{};
        }
      });
    } catch (const Stop&) {
      net = fresh_network();  // a new process: nothing survives but the file
      const LoadReport loaded = load_checkpoint(file_, *net);
      auto state = training_state_of(loaded.info);
      EXPECT_TRUE(state.has_value());
      Trainer second(*net, options, 4, 9);
      second.resume(*state);
      result = second.fit(train_, val_, flips(), record);
    }
    out.weights = all_weights(*net);
    out.best_epoch = result.best_epoch;
    out.stopped_early = result.stopped_early;
    return out;
  }

  static void expect_same(const Outcome& resumed, const Outcome& straight) {
    ASSERT_EQ(resumed.history.size(), straight.history.size());
    for (std::size_t i = 0; i < straight.history.size(); ++i) {
      const EpochStats &a = resumed.history[i], &b = straight.history[i];
      EXPECT_EQ(a.epoch, b.epoch);
      EXPECT_EQ(a.train_loss, b.train_loss) << "epoch " << b.epoch;
      EXPECT_EQ(a.val_loss, b.val_loss) << "epoch " << b.epoch;
      EXPECT_EQ(a.val_accuracy, b.val_accuracy) << "epoch " << b.epoch;
      EXPECT_EQ(a.lr, b.lr) << "epoch " << b.epoch;
      EXPECT_EQ(a.best, b.best) << "epoch " << b.epoch;
    }
    EXPECT_EQ(resumed.best_epoch, straight.best_epoch);
    EXPECT_EQ(resumed.stopped_early, straight.stopped_early);
    EXPECT_EQ(resumed.weights, straight.weights);
  }

  fs::path file_;
  std::vector<Sample> train_ = quadrant_samples(48, 1), val_ = quadrant_samples(16, 2);
};

TEST_F(ResumeTest, AdamWithPlateauScheduleContinuesExactly) {
  TrainOptions o = adam_options(8);
  o.batch = 10;
  o.optimizer.lr = 0.03;
  o.schedule.name = options::Schedule::plateau;
  o.schedule.patience = 1;
  o.select_on = options::SelectOn::val_accuracy;  // saturates early, so the plateau schedule acts
  const Outcome straight = train(o, 0);
  // The schedule must actually have reduced the rate, or its state would go untested.
  EXPECT_LT(straight.history.back().lr, o.optimizer.lr);
  for (int stop : {1, 3, 6}) {
    SCOPED_TRACE("stopped after epoch " + std::to_string(stop));
    expect_same(train(o, stop), straight);
  }
}

TEST_F(ResumeTest, SgdNesterovContinuesExactly) {
  TrainOptions o = adam_options(4);
  o.optimizer.name = options::Optimizer::sgd;
  o.optimizer.momentum = 0.9;
  o.optimizer.nesterov = true;
  o.optimizer.lr = 0.05;
  expect_same(train(o, 2), train(o, 0));
}

TEST_F(ResumeTest, AnEarlyStoppedRunStaysStopped) {
  TrainOptions o = adam_options(12);
  o.optimizer.lr = 0.5;  // far too high: validation stops improving soon
  o.select_on = options::SelectOn::val_loss;
  o.early_stopping_patience = 2;
  const Outcome straight = train(o, 0);
  ASSERT_TRUE(straight.stopped_early);
  // Stopping after the last epoch leaves nothing to train: the resumed fit only restores the
  // best weights.
  expect_same(train(o, static_cast<int>(straight.history.size())), straight);
}

TEST_F(ResumeTest, AWeightsOnlyCheckpointHasNoTrainingState) {
  auto net = fresh_network();
  save_checkpoint(file_, *net, CheckpointInfo{});
  EXPECT_FALSE(training_state_of(load_checkpoint(file_, *net).info).has_value());
}

TEST_F(ResumeTest, StateFromAnotherNetworkIsRefused) {
  TrainOptions o = adam_options(2);
  auto net = fresh_network();
  Trainer trainer(*net, o, 4, 9);
  TrainingState state;
  trainer.fit(train_, val_, {}, [&](const EpochStats&) { state = trainer.state(); });
  state.moments.erase(state.moments.begin());
  Trainer again(*net, o, 4, 9);
  again.resume(state);
  try {
    again.fit(train_, val_);
    ADD_FAILURE() << "a state with a missing moment was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("optimizer state for"));
  }
}

}  // namespace
}  // namespace ferlab::test
