// Parameter updates: SGD (momentum, Nesterov), Adam and AdamW, plus gradient clipping.
#pragma once

#include <ferlab/layer.hpp>
#include <map>
#include <string>
#include <vector>

#include "options/train_options.hpp"

namespace ferlab::engine {

using options::OptimizerOptions;  // what a spec chose (train.optimizer)

class Optimizer {
 public:
  // Updates the trainable ones of `parameters` (state such as running statistics is skipped).
  // Throws std::invalid_argument for an unknown optimizer name.
  Optimizer(const OptimizerOptions& options, const std::vector<Parameter*>& parameters);
  // One update from the current gradients at learning rate lr.
  void step(double lr);
  long steps() const { return t_; }

  // The moments, for checkpoints: "<name>/m" and, for Adam(W), "<name>/v" per updated
  // parameter, named by `names`.
  using Moments = std::map<std::string, std::vector<float>>;
  Moments moments(const std::map<const Parameter*, std::string>& names) const;
  // Continues from saved moments after `steps` updates. Throws std::runtime_error naming the
  // first moment missing or of another size (the checkpoint belongs to another network).
  void restore(long steps, const Moments& moments,
               const std::map<const Parameter*, std::string>& names);

 private:
  struct Slot {
    Parameter* parameter;
    std::vector<float> m, v;  // momentum / first moment, second moment
  };
  OptimizerOptions options_;
  std::vector<Slot> slots_;
  long t_ = 0;
};

// Scales every trainable gradient so their global L2 norm is at most max_norm (0 = off).
// Returns the norm before clipping.
double clip_gradients(const std::vector<Parameter*>& parameters, double max_norm);

}  // namespace ferlab::engine
