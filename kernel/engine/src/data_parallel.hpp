// The trainer's side of data-parallel training (engine/collective.hpp), private to the engine:
// every process holds the same weights, computes its part of each batch, and steps with the
// gradient of the whole batch.
#pragma once

#include <ferlab/layer.hpp>
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

// Each process's gradients of `trained`, weighted by its `weight` (its share of the loss's
// normaliser: its images, or their class weights), summed over the processes and divided by
// the total weight: the gradient of the loss over the whole batch. Returns that loss (each
// process's `loss` combined the same way). One allreduce of every gradient per step, in
// `buffer` (kept between steps). Every process gets the same bits. `stop` is or-ed across the
// processes on the way.
double reduce_gradients(Collective& processes, const std::vector<Parameter*>& trained, double loss,
                        double weight, std::vector<float>& buffer, bool& stop);

// The sum of every process's confusion matrix.
metrics::Confusion sum_confusion(Collective& processes, const metrics::Confusion& local,
                                 int classes);

}  // namespace ferlab::engine::data_parallel
