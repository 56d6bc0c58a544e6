// Data-parallel training sums the gradients in buckets started during the backward pass
// (train.allreduce_bucket_mb). Here the trainer runs as rank 0 of two processes whose other
// process is simulated (its gradients equal to this one's, so every sum doubles), and each
// layer's backward and each sum started is logged: the sums of the last layers' gradients
// must start before the first layer's backward, and the bucket size (0: one blocking sum after
// the pass) must not change the bits.
// That the summed figures are right against one process is tests/mpi's work (real MPI).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/collective.hpp"
#include "engine/trainer.hpp"
#include "tiny_problem.hpp"

namespace ferlab::test {
namespace {

using Log = std::vector<std::string>;

// Rank 0 of two processes holding the same values: a sum doubles them.
class MirroredPair final : public engine::Collective {
 public:
  explicit MirroredPair(Log& log) : log_(log) {}
  int rank() const override { return 0; }
  int size() const override { return 2; }
  void sum(double* values, std::size_t count) override {
    std::for_each(values, values + count, [](double& x) { x *= 2; });
  }
  void sum(float* values, std::size_t count) override {
    std::for_each(values, values + count, [](float& x) { x *= 2; });
  }
  std::unique_ptr<PendingSum> start_sum(float* values, std::size_t count) override {
    log_.push_back("sum");
    return Collective::start_sum(values, count);
  }
  void broadcast(float*, std::size_t, int) override {}
  void broadcast(double*, std::size_t, int) override {}
  void broadcast(char*, std::size_t, int) override {}

 private:
  Log& log_;
};

// A layer from the plugins that logs its backward passes.
class LoggedLayer final : public Layer {
 public:
  LoggedLayer(std::shared_ptr<Layer> inner, std::string name, Log& log)
      : inner_(std::move(inner)), name_(std::move(name)), log_(log) {}
  dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs,
                           LayerContext& context) override {
    return inner_->setup(inputs, context);
  }
  void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
               LayerContext& context) override {
    inner_->forward(inputs, output, context);
  }
  void backward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
                const dnnl::memory& output_grad, const std::vector<dnnl::memory>& input_grads,
                LayerContext& context) override {
    log_.push_back("backward " + name_);
    inner_->backward(inputs, output, output_grad, input_grads, context);
  }
  std::vector<Parameter*> parameters() override { return inner_->parameters(); }
  bool backward_reads_output() const override { return inner_->backward_reads_output(); }
  bool computes_in_place() const override { return inner_->computes_in_place(); }

 private:
  std::shared_ptr<Layer> inner_;
  std::string name_;
  Log& log_;
};

struct Trained {
  Log log;
  std::vector<float> weights;
};

// Two epochs of the tiny problem as rank 0 of a mirrored pair, buckets of `bucket_mb`.
Trained train_mirrored(double bucket_mb) {
  Trained out;
  const engine::LayerFactory plugins = assembly::catalog_layer_factory(catalog());
  engine::Network network(
      tiny_cnn(false),
      [&](const LayerDef& def) {
        return std::make_shared<LoggedLayer>(plugins(def), def.name, out.log);
      },
      InputShape{1, 8, 8});
  engine::TrainOptions options = adam_options(2);
  options.allreduce_bucket_mb = bucket_mb;
  MirroredPair pair(out.log);
  engine::Trainer trainer(network, options, 4, 7);
  trainer.set_collective(&pair);
  trainer.fit(quadrant_samples(64, 1), quadrant_samples(16, 2));
  out.weights = all_weights(network);
  EXPECT_EQ(pair.gradient_traffic().steps, 2 * 64 / 16);
  return out;
}

// Per step (from one "backward logits" to the next): where the sums started, counted in
// backward passes of layers before them.
std::vector<std::vector<int>> sum_positions(const Log& log) {
  std::vector<std::vector<int>> steps;
  int backwards = 0;
  for (const std::string& event : log) {
    if (event == "backward logits") steps.emplace_back(), backwards = 0;
    if (event.starts_with("backward")) ++backwards;
    if (event == "sum" && !steps.empty()) steps.back().push_back(backwards);
  }
  return steps;
}

TEST(GradientBuckets, SumsOfTheLastLayersStartBeforeTheFirstLayersBackward) {
  // 64 bytes: the dense layer's gradients (4 x 64 + 4 floats) fill a bucket on their own.
  const Trained small = train_mirrored(64.0 / (1024 * 1024));
  const auto steps = sum_positions(small.log);
  ASSERT_EQ(steps.size(), 8u);
  const int layers = 6;  // conv, relu, pool, flatten, dropout, logits
  for (const auto& sums : steps) {
    ASSERT_EQ(sums.size(), 2u);  // logits' bucket, then conv's
    EXPECT_EQ(sums[0], 1);       // right after the logits layer's backward
    EXPECT_EQ(sums[1], layers);  // after conv's, the first layer
  }

  // 25 MiB: the whole (small) network is one bucket, started once the pass has ended.
  const Trained whole = train_mirrored(25);
  for (const auto& sums : sum_positions(whole.log)) EXPECT_EQ(sums, std::vector<int>{layers});

  // 0: one blocking sum after the pass, none started.
  const Trained after = train_mirrored(0);
  for (const auto& sums : sum_positions(after.log)) EXPECT_TRUE(sums.empty());

  // Bucketing changes when the sums run, never what they give.
  EXPECT_EQ(small.weights, whole.weights);
  EXPECT_EQ(after.weights, whole.weights);
}

}  // namespace
}  // namespace ferlab::test
