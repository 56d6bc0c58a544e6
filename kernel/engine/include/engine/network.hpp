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
  bool single_thread = false;  // at the prepared batch size (single_thread_work())
};

// What a forward pass is for. Training: batch statistics, dropout, backward follows.
// Inference: running statistics, no dropout, no backward (lean primitives, cached weights).
// Explain: inference behaviour, but backward may follow (gradients of a prediction, Grad-CAM).
enum class Pass { training, inference, explain };

class Network {
 public:
  // A layer with less work than this per batch (multiply-accumulates plus output elements)
  // runs on one thread: waking another costs more than it saves. At batch 1 seed-cnn's
  // convolutions 2-3 and first dense layer are above, its first convolution, pooling and
  // mini-xception's layers below; at batch 64 nearly every layer is above. On a quiet 2-core
  // machine: seed-cnn 0.31 -> 0.22 ms, mini-xception 0.34 -> 0.23 ms against one thread for
  // the whole network. FERLAB_SINGLE_THREAD_WORK overrides it (0: always every thread).
  static std::int64_t single_thread_work();

  // Creates every layer and prepares them for batch 1, so parameters exist at once. Throws
  // std::invalid_argument naming the layer for unknown or later inputs and bad shapes.
  Network(const NetworkDef& def, const LayerFactory& make, const InputShape& input);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Prepares primitives and buffers for this batch size; cheap when it is unchanged. Also
  // counts as parameters_changed(): call it before a series of passes. Layers with less than
  // single_thread_work() at this batch size are computed on one thread.
  void prepare(int batch);
  int batch() const { return batch_; }
  const InputShape& input_shape() const { return input_shape_; }

  // batch x channels x height x width floats, written by the caller before forward().
  float* input();
  // Runs every layer; returns the last layer's output, batch x output_size() floats.
  const float* forward(Pass pass);
  const float* forward(bool training) {
    return forward(training ? Pass::training : Pass::inference);
  }
  int output_size() const;
  // A layer's output from the last forward pass, in plain (batch, channels, height, width)
  // order; throws std::invalid_argument for an unknown name. An activation computed in place
  // shares its memory with the layer before it, which then shows the activated values; an
  // inference pass skips activations fused into their producer (an explain pass runs every
  // layer on its own: use it to inspect features).
  std::vector<float> output_of(const std::string& layer) const;
  // Where the caller writes dLoss/dOutput (batch x output_size()) before backward().
  float* output_grad();
  // Backpropagates through the DAG after a training or explain pass; sets every parameter
  // grad. Gradient buffers are shared between layers whose gradients are never alive at the
  // same time, so only retained ones can be read afterwards. `layer_done`, if given, is called
  // with each layer's parameters once their gradients are final (data-parallel training starts
  // summing them across processes while the earlier layers' backward goes on).
  using LayerDone = std::function<void(const std::vector<Parameter*>& parameters)>;
  void backward(const LayerDone& layer_done = {});
  // Keeps this layer's output gradient readable with grad_of() after backward() (as
  // PyTorch's retain_grad): it gets a buffer of its own.
  void retain_grad(const std::string& layer);
  // dLoss/d(layer output) from the last backward, plain order like output_of().
  std::vector<float> grad_of(const std::string& layer) const;
  // Call after writing parameter values directly (not through the trainer), so layers
  // rebuild the reordered copies of their weights that inference passes reuse.
  void parameters_changed() { ++context_.parameters_version; }
  // Bytes held in layer outputs and gradient buffers at the current batch size (parameters
  // and the layers' own scratch memory excluded).
  std::int64_t activation_bytes() const { return activation_bytes_; }

  // Every persistent tensor (trained parameters and state such as running statistics), in
  // layer order. Reading them changes nothing; after writing values, call parameters_changed()
  // (prepare() and backward() count as such a call).
  std::vector<Parameter*> parameters();
  // The same, each named "<layer>/<parameter>" (what checkpoints store).
  std::vector<std::pair<std::string, Parameter*>> named_parameters();
  std::int64_t parameter_count() const;  // trainable elements
  std::int64_t macs() const;             // per image
  std::vector<LayerSummary> summary() const;
  // The definition the network was built from (layer params as given, unresolved): what an
  // exporter walks beside summary() and named_parameters().
  NetworkDef definition() const;
  // The LayerDef::stage of a layer (0 = head); throws std::invalid_argument for an unknown name.
  int stage_of(const std::string& layer) const;
  // The layer plugin object itself (what an exporter asks for its ONNX nodes); throws
  // std::invalid_argument for an unknown name.
  const Layer& layer(const std::string& name) const;

  // The generator training-mode layers draw from (dropout).
  Rng& rng() { return rng_; }
  LayerContext& context() { return context_; }

 private:
  struct Node;
  void setup_layers(int batch);
  void allocate_gradients();
  void fuse_for_inference();
  Node& node_named(const std::string& layer) const;
  std::vector<float> plain_copy(const dnnl::memory& m) const;

  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::shared_ptr<void>> blocks_;  // memory behind outputs and gradients
  std::int64_t activation_bytes_ = 0;
  // The last layer's output and gradient in plain layout, when the layer's own is not.
  dnnl::memory plain_output_, plain_output_grad_;
  dnnl::reorder to_plain_output_, from_plain_output_grad_;  // created once per batch size
  InputShape input_shape_;
  int batch_ = 0;
  dnnl::engine engine_;
  dnnl::stream stream_;
  Rng rng_;
  LayerContext context_;
  dnnl::memory input_;
};

}  // namespace ferlab::engine
