// The trainer's side of data-parallel training (engine/collective.hpp), private to the engine:
// every process holds the same weights, computes its part of each batch, and steps with the
// gradient of the whole batch.
#pragma once

#include <ferlab/layer.hpp>
#include <vector>

#include "engine/collective.hpp"
#include "metrics/metrics.hpp"

namespace ferlab::engine::data_parallel {

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
