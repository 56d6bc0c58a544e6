// A network: a DAG of layer plugins with the buffers that connect them, run forward and
// backward on whole batches.
#pragma once

#include <ferlab/backbone.hpp>
#include <ferlab/layer.hpp>
#include <ferlab/network.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ferlab::engine {

// Creates the layer a definition names (the kernel resolves its params against the plugin's
// schema first).
using LayerFactory = std::function<std::shared_ptr<Layer>(const LayerDef&)>;

// One row of the layer table: output shape per image, trainable parameters, MACs per image.
struct LayerSummary {
  std::string name, type;
  std::vector<std::int64_t> output;  // without the batch dimension
  std::int64_t parameters = 0, macs = 0;
};

class Network {
 public:
  // Creates every layer and prepares them for batch 1, so parameters exist at once. Throws
  // std::invalid_argument naming the layer for unknown or later inputs and bad shapes.
  Network(const NetworkDef& def, const LayerFactory& make, const InputShape& input);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Prepares primitives and buffers for this batch size; cheap when it is unchanged.
  void prepare(int batch);
  int batch() const { return batch_; }
  const InputShape& input_shape() const { return input_shape_; }

  // batch x channels x height x width floats, written by the caller before forward().
  float* input();
  // Runs every layer; returns the last layer's output, batch x output_size() floats.
  const float* forward(bool training);
  int output_size() const;
  // A layer's output from the last forward pass (batch x its per-image shape in summary());
  // throws std::invalid_argument for an unknown name. For inspecting features.
  const float* output_of(const std::string& layer) const;
  // Where the caller writes dLoss/dOutput (batch x output_size()) before backward().
  float* output_grad();
  // Backpropagates through the DAG after a training-mode forward; sets every parameter grad.
  void backward();

  // Every persistent tensor (trained parameters and state such as running statistics), in
  // layer order.
  std::vector<Parameter*> parameters();
  // The same, each named "<layer>/<parameter>" (what checkpoints store).
  std::vector<std::pair<std::string, Parameter*>> named_parameters();
  std::int64_t parameter_count() const;  // trainable elements
  std::int64_t macs() const;             // per image
  std::vector<LayerSummary> summary() const;

  // The generator training-mode layers draw from (dropout).
  Rng& rng() { return rng_; }
  LayerContext& context() { return context_; }

 private:
  struct Node;
  std::vector<std::unique_ptr<Node>> nodes_;
  InputShape input_shape_;
  int batch_ = 0;
  dnnl::engine engine_;
  dnnl::stream stream_;
  Rng rng_;
  LayerContext context_;
  dnnl::memory input_;
};

}  // namespace ferlab::engine
