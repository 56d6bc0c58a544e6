// Batch normalization against plain per-channel loops (training: batch statistics and the
// running averages' update; inference: the running statistics) in every layout, on one thread
// and two, and its gradients against central finite differences. Synchronised statistics
// (data-parallel training) with processes simulated by threads: two halves of a batch give
// what oneDNN's primitive gives on the whole batch. With the SDK's kit only.
#include <gtest/gtest.h>
#include <omp.h>

#include <barrier>
#include <cmath>
#include <ferlab/testing.hpp>
#include <map>
#include <thread>

using namespace ferlab::plugin_test;
using ferlab::Layer;
using ferlab::Params;

namespace {

struct Shape {
  int n, c, h, w;
};

// Per-channel mean and biased variance over batch and map (plain NCHW).
void channel_statistics(const std::vector<float>& in, Shape s, std::vector<double>& mean,
                        std::vector<double>& var) {
  const int count = s.n * s.h * s.w;
  mean.assign(s.c, 0);
  var.assign(s.c, 0);
  auto at = [&s](int n, int c, int i) { return (n * s.c + c) * s.h * s.w + i; };
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int i = 0; i < s.h * s.w; ++i) mean[c] += in[at(n, c, i)];
  for (double& m : mean) m /= count;
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int i = 0; i < s.h * s.w; ++i) var[c] += std::pow(in[at(n, c, i)] - mean[c], 2);
  for (double& v : var) v /= count;
}

// Each channel normalized with the given mean and variance, then scaled and shifted.
std::vector<float> normalized(const std::vector<float>& in, Shape s,
                              const std::vector<double>& mean, const std::vector<double>& var,
                              const std::vector<float>& scale, const std::vector<float>& shift) {
  const double eps = 1e-5;  // the schema's default
  std::vector<float> out(in.size());
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int i = 0; i < s.h * s.w; ++i) {
        const int at = (n * s.c + c) * s.h * s.w + i;
        out[at] =
            static_cast<float>(scale[c] * (in[at] - mean[c]) / std::sqrt(var[c] + eps) + shift[c]);
      }
  return out;
}

// Processes simulated by threads: a sum meets the other "process" at a barrier. Without a
// partner it is a process alone (the sum changes nothing).
class ThreadProcesses final : public ferlab::ProcessGroup {
 public:
  struct Meeting {
    std::barrier<> barrier{2};
    std::vector<double> parts[2];
  };
  ThreadProcesses(Meeting* meeting, int rank, double weight)
      : meeting_(meeting), rank_(rank), weight_(weight) {}
  void sum(double* values, std::size_t count) override {
    if (!meeting_) return;
    meeting_->parts[rank_].assign(values, values + count);
    meeting_->barrier.arrive_and_wait();
    for (std::size_t i = 0; i < count; ++i)
      values[i] = meeting_->parts[0][i] + meeting_->parts[1][i];
    meeting_->barrier.arrive_and_wait();
  }
  double loss_weight() const override { return weight_; }
  bool synchronise_statistics() const override { return true; }

 private:
  Meeting* meeting_;
  int rank_;
  double weight_;
};

std::vector<float> slice(const std::vector<float>& v, std::size_t part, std::size_t parts) {
  const std::size_t n = v.size() / parts;
  return {v.begin() + part * n, v.begin() + (part + 1) * n};
}

std::vector<float> scaled(std::vector<float> v, double factor) {
  for (float& x : v) x = static_cast<float>(x * factor);
  return v;
}

LayerHarness harness(const Params& params, Shape s, Layout layout) {
  return LayerHarness(plugin_under_test().create<Layer>("batchnorm", params),
                      {{s.n, s.c, s.h, s.w}}, 7, layout);
}

// Training forward runs the plugin's own loops, one path per layout family: every layout here.
class BatchNormTest : public ::testing::TestWithParam<Layout> {};
INSTANTIATE_TEST_SUITE_P(Layouts, BatchNormTest, ::testing::ValuesIn(all_layouts),
                         [](const auto& info) { return to_string(info.param); });

TEST(BatchNorm, SchemaIsSound) { EXPECT_TRUE(plugin_under_test().schema_problems().empty()); }

// 3 channels: one partial block; 20 channels: a full block of 16 and a partial one. On one
// thread and on two, which split the (image, channel block) slices between them and merge the
// per-image moments in image order: the same bits either way.
TEST_P(BatchNormTest, TrainingUsesBatchStatisticsAndUpdatesRunningOnes) {
  std::map<int, std::vector<float>> outputs;  // first shape's training output, by threads
  for (const auto& [threads, s] :
       {std::pair{1, Shape{2, 3, 7, 5}}, std::pair{1, Shape{3, 20, 4, 3}},
        std::pair{2, Shape{2, 3, 7, 5}}, std::pair{2, Shape{3, 20, 4, 3}}}) {
    SCOPED_TRACE(testing::Message() << s.c << " channels, " << threads << " threads");
    omp_set_num_threads(threads);
    struct OneThreadAfter {
      ~OneThreadAfter() { omp_set_num_threads(1); }
    } restore;
    LayerHarness h = harness(Params({{"momentum", 0.8}}), s, GetParam());
    std::vector<double> mean, var;
    channel_statistics(h.input(0), s, mean, var);
    const auto scale = h.values("scale"), shift = h.values("shift");
    const std::vector<float> trained = h.forward(true);
    EXPECT_EQ(first_difference(trained, normalized(h.input(0), s, mean, var, scale, shift), 1e-5),
              "")
        << "training forward";
    if (s.c == 3) outputs[threads] = trained;
    // One update from mean 0 / variance 1, with Bessel's correction on the variance.
    const double n = s.n * s.h * s.w;
    std::vector<float> want_mean, want_var;
    for (int c = 0; c < s.c; ++c) {
      want_mean.push_back(static_cast<float>(0.2 * mean[c]));
      want_var.push_back(static_cast<float>(0.8 + 0.2 * var[c] * n / (n - 1)));
    }
    EXPECT_EQ(first_difference(h.values("running_mean"), want_mean, 1e-5), "") << "running mean";
    EXPECT_EQ(first_difference(h.values("running_var"), want_var, 1e-5), "") << "running var";
    // Inference normalizes with the running statistics.
    const std::vector<double> rmean(want_mean.begin(), want_mean.end()),
        rvar(want_var.begin(), want_var.end());
    EXPECT_EQ(first_difference(h.forward(false),
                               normalized(h.input(0), s, rmean, rvar, scale, shift), 1e-5),
              "")
        << "inference forward";
  }
  EXPECT_EQ(outputs.at(1), outputs.at(2));
}

TEST_P(BatchNormTest, BackwardMatchesFiniteDifferences) {
  EXPECT_EQ(gradient_failures(harness({}, {2, 3, 7, 5}, GetParam()).check_gradients()), "");
  EXPECT_EQ(gradient_failures(harness({}, {1, 3, 7, 5}, GetParam()).check_gradients()), "");
  LayerHarness features(plugin_under_test().create<Layer>("batchnorm"), {{5, 4}});  // after dense
  EXPECT_EQ(gradient_failures(features.check_gradients()), "");
}

// One process with synchronised statistics takes the plugin's own backward loops: finite
// differences check them in every layout.
TEST_P(BatchNormTest, SynchronisedBackwardMatchesFiniteDifferences) {
  ThreadProcesses alone(nullptr, 0, 1.0);
  for (Shape s : {Shape{2, 3, 7, 5}, Shape{3, 20, 4, 3}}) {
    LayerHarness h = harness({}, s, GetParam());
    h.context().processes = &alone;
    EXPECT_EQ(gradient_failures(h.check_gradients()), "") << s.c << " channels";
  }
}

// A batch of 4 split over two processes of unequal loss weights (1 and 3, of 4): each half's
// output is the whole batch's, its input gradient (W / w) times the whole batch's, and the
// weighted parameter gradients and the running statistics are the whole batch's, against
// oneDNN's primitive on the whole batch in one process.
TEST_P(BatchNormTest, TwoProcessesWithSynchronisedStatisticsActAsOneBatch) {
  const Shape whole{4, 20, 4, 3}, half{2, 20, 4, 3};
  LayerHarness one = harness(Params({{"momentum", 0.8}}), whole, GetParam());
  std::vector<float> dy(one.input(0).size());
  ferlab::Rng rng(5);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float& g : dy) g = u(rng);
  const std::vector<float> y = one.forward(true), dx = one.backward(dy)[0];

  const double weight[2] = {1, 3}, total = 4;
  ThreadProcesses::Meeting meeting;
  std::vector<LayerHarness> parts;
  std::vector<ThreadProcesses> processes;
  parts.reserve(2);
  processes.reserve(2);
  for (int r = 0; r < 2; ++r) {
    parts.push_back(harness(Params({{"momentum", 0.8}}), half, GetParam()));
    processes.emplace_back(&meeting, r, weight[r]);
  }
  std::vector<float> part_y[2], part_dx[2];
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    LayerHarness& h = parts[r];
    h.set_input(0, slice(one.input(0), r, 2));
    for (const char* name : {"scale", "shift"}) {
      const auto values = one.values(name);
      std::copy(values.begin(), values.end(), LayerHarness::data(h.parameter(name).value));
    }
    h.context().processes = &processes[r];
  }
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&, r] {
      part_y[r] = parts[r].forward(true);
      part_dx[r] = parts[r].backward(scaled(slice(dy, r, 2), total / weight[r]))[0];
    });
  for (std::thread& t : threads) t.join();
  for (int r = 0; r < 2; ++r) {
    SCOPED_TRACE(testing::Message() << "process " << r);
    EXPECT_EQ(first_difference(part_y[r], slice(y, r, 2), 1e-5), "") << "output";
    EXPECT_EQ(first_difference(part_dx[r], scaled(slice(dx, r, 2), total / weight[r]), 1e-4), "")
        << "input gradient";
    for (const char* state : {"running_mean", "running_var"})
      EXPECT_EQ(first_difference(parts[r].values(state), one.values(state), 1e-5), "") << state;
  }
  for (const char* name : {"scale", "shift"}) {
    std::vector<float> combined(one.gradients(name).size(), 0.f);
    for (int r = 0; r < 2; ++r) {
      const auto g = parts[r].gradients(name);
      for (std::size_t i = 0; i < g.size(); ++i)
        combined[i] += static_cast<float>(weight[r] / total * g[i]);
    }
    EXPECT_EQ(first_difference(combined, one.gradients(name), 1e-4), "") << name << " gradient";
  }
}

TEST(BatchNorm, RunningStatisticsAreStateNotTrained) {
  LayerHarness h = harness({}, {1, 3, 7, 5}, Layout::plain);
  EXPECT_TRUE(h.parameter("scale").trainable());
  EXPECT_TRUE(h.parameter("shift").trainable());
  EXPECT_FALSE(h.parameter("running_mean").trainable());
  EXPECT_FALSE(h.parameter("running_var").trainable());
  EXPECT_FALSE(h.parameter("scale").weight_decay);
}

}  // namespace
