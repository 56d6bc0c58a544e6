// The trainer's side of data-parallel training (engine/collective.hpp), private to the engine:
// every process holds the same weights, computes its part of each batch, and steps with the
// gradient of the whole batch.
#pragma once

#include <ferlab/layer.hpp>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/collective.hpp"
#include "metrics/metrics.hpp"

namespace ferlab::engine::data_parallel {

// The processes as layers see them (ferlab/layer.hpp's ProcessGroup): sums over them, and this
// process's weight in the current step's loss, which the trainer sets before each backward pass.
class LayerProcesses final : public ProcessGroup {
 public:
  LayerProcesses(Collective& processes, bool synchronise_statistics)
      : processes_(processes), synchronise_(synchronise_statistics) {}
  void sum(double* values, std::size_t count) override { processes_.sum(values, count); }
  double loss_weight() const override { return weight_; }
  bool synchronise_statistics() const override { return synchronise_; }
  void set_loss_weight(double weight) { weight_ = weight; }

 private:
  Collective& processes_;
  bool synchronise_;
  double weight_ = 1;
};

// Rank 0's values of every parameter (trained ones and state such as running statistics) on
// every process: one start whatever each process initialised.
void broadcast_parameters(Collective& processes, const std::vector<Parameter*>& parameters);

// Sums each process's gradients of the trained parameters across the processes, in buckets
// started during the backward pass (as PyTorch's DistributedDataParallel): once a layer's
// gradients are final, they are weighted by this process's share of the loss's normaliser (its
// images, or their class weights) and copied into the current bucket; a bucket that reaches
// its size (the first one smaller, to start early) is summed while the backward pass goes on.
// After the pass, the last bucket is summed, every sum awaited, and each gradient divided by
// the total weight: the gradient of the loss over the whole batch. Every process must train
// the same network (the same buckets in the same order) and gets the same bits. A bucket size
// of 0 sums every gradient at once after the pass, with a blocking sum (no overlap).
class GradientBuckets {
 public:
  GradientBuckets(Collective& processes, const std::vector<Parameter*>& trained,
                  std::size_t bucket_bytes, std::size_t first_bucket_bytes);
  // Whether sums start during the backward pass (then pass layer_done to Network::backward).
  bool overlaps() const { return bucket_floats_ > 0; }
  // Before the backward pass: this process's weight in the step's loss.
  void begin(double weight);
  // What Network::backward calls after each layer.
  void layer_done(const std::vector<Parameter*>& parameters);
  // After the backward pass: every gradient summed and divided. Returns the step's loss over
  // the whole batch (each process's `loss` combined the same way); `stop` is or-ed across the
  // processes on the way.
  double finish(double loss, bool& stop);

 private:
  void add(Parameter* p);
  void start_bucket();

  Collective& processes_;
  std::vector<Parameter*> trained_;
  std::unordered_map<const Parameter*, std::size_t> index_;  // in trained_
  std::size_t bucket_floats_, first_bucket_floats_;
  std::vector<float> buffer_;
  // This step: where each gradient went in buffer_, in the order the layers finished.
  std::vector<std::pair<Parameter*, std::size_t>> placed_;
  std::vector<bool> is_placed_;  // by index in trained_
  std::size_t filled_ = 0, bucket_start_ = 0;
  float share_ = 1;
  double weight_ = 1;
  std::vector<std::unique_ptr<Collective::PendingSum>> pending_;
};

// The sum of every process's confusion matrix.
metrics::Confusion sum_confusion(Collective& processes, const metrics::Confusion& local,
                                 int classes);

}  // namespace ferlab::engine::data_parallel
