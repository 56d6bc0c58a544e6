// Layer plugins: one layer type each, computed with oneDNN primitives where oneDNN has one.
//
// A layer prepares its work once per input shape (setup: create primitive descriptors,
// primitives and internal buffers) and then only computes. The network calls setup again only
// when the shape changes (another batch size); parameters survive that.
//
// Tensors between layers are f32 in whatever oneDNN layout their producer chose (plain nchw
// or blocked such as nChw16c): keeping the layouts primitives prefer through the network avoids
// a reorder at every layer. So a layer accepts inputs in any layout (reordering itself when it
// needs another), returns its output descriptor, receives its output gradient in that same
// descriptor and writes each input gradient in that input's descriptor. Parameters are plain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <dnnl.hpp>
#include <ferlab/onnx_nodes.hpp>
#include <ferlab/plugin.hpp>
#include <random>
#include <string>
#include <vector>

namespace ferlab {

using Rng = std::mt19937_64;  // the same engine augmenters use

// The processes that train one network data-parallel (`mpirun -np N ferlab run`), as a layer
// sees them: for a layer whose training pass needs figures of the whole batch, not only of this
// process's part (synchronised batchnorm).
class ProcessGroup {
 public:
  virtual ~ProcessGroup() = default;
  // Element-wise sum over the processes, in place; every process gets the same result. Every
  // process must call it the same number of times, in the same order (each layer, each step).
  virtual void sum(double* values, std::size_t count) = 0;
  // This process's weight in the current step's loss (its images, or the sum of their class
  // weights): its gradients count weight / (the sum over the processes) when they are
  // combined. Valid in backward().
  virtual double loss_weight() const = 0;
  // Whether layers with batch statistics compute them over the whole batch (the spec's
  // train.sync_batchnorm) rather than over this process's part.
  virtual bool synchronise_statistics() const = 0;
};

struct LayerContext {
  dnnl::engine engine;
  dnnl::stream stream;
  // Set by the network before each forward pass: true while training (batch statistics,
  // dropout active), false for evaluation and inference.
  bool training = false;
  // True when backward() follows this forward pass (training, or explaining a prediction with
  // inference behaviour): keep what backward needs. False allows inference-only primitives.
  bool gradients = false;
  // Changes whenever parameter values may have changed (an optimizer step, loading weights).
  // Layers may keep derived copies of their weights (reordered, folded) for forward passes
  // without gradients and rebuild them when this differs from the value they were built at.
  std::uint64_t parameters_version = 0;
  // The only source of randomness for training-mode forward passes (dropout masks). Owned and
  // seeded by the network, so one seed gives one result. Null outside training.
  Rng* rng = nullptr;
  // Set while training data-parallel over several processes; null in one process.
  ProcessGroup* processes = nullptr;
};

// A tensor the layer keeps between batches: trained (with a gradient of the same descriptor)
// or state such as batchnorm running statistics (grad left empty).
struct Parameter {
  enum class Init { fan, zeros, ones };
  std::string name;  // "weights", "bias", "running_mean", ...
  dnnl::memory value;
  dnnl::memory grad;         // empty for untrained state
  bool weight_decay = true;  // false for biases and batchnorm scale/shift
  Init init = Init::fan;     // fan: He or Xavier (chosen by the trainer) from fan_in/fan_out
  std::int64_t fan_in = 0, fan_out = 0;

  bool trainable() const { return static_cast<bool>(grad); }
};

class FERLAB_API Layer : public PluginObject {
 public:
  static constexpr Kind kind = Kind::layer;
  // Creates primitives for these input descriptors (forward in both modes and backward) and
  // returns the output descriptor. Creates the parameters on the first call only.
  virtual dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs,
                                   LayerContext& context) = 0;
  // Computes output from inputs, in training or inference mode (context.training).
  virtual void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
                       LayerContext& context) = 0;
  // After a training-mode forward on the same inputs: writes the input gradients (an empty
  // memory marks an input that needs none, e.g. the network input) and overwrites the
  // parameter gradients.
  virtual void backward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
                        const dnnl::memory& output_grad,
                        const std::vector<dnnl::memory>& input_grads, LayerContext& context) = 0;
  virtual std::vector<Parameter*> parameters() { return {}; }
  // Whether backward() reads `output`. A layer that does not lets a following in-place layer
  // overwrite its output (saves one tensor of memory per activation while training).
  virtual bool backward_reads_output() const { return true; }
  // Whether forward() may be given the same memory as its single input and output, and
  // backward() then still works (e.g. relu differentiated through its output).
  virtual bool computes_in_place() const { return false; }

  // Inference fusion. A per-element layer (an activation) that can be expressed as a oneDNN
  // post-op appends itself to `ops` and returns true. A layer that can apply post-ops to its
  // own output (convolution, dense) builds an inference primitive with them and returns true;
  // the network then skips the fused layer in inference passes and hands the producer that
  // layer's output memory. Called after every setup(); training passes are unaffected.
  virtual bool append_as_post_op(dnnl::post_ops& /*ops*/) const { return false; }
  virtual bool accept_post_ops(const dnnl::post_ops& /*ops*/, LayerContext& /*context*/) {
    return false;
  }
  // Multiply-accumulates per image for the shapes given to setup() (0 for layers that only
  // compare, add or move values: pooling, activations, batchnorm).
  virtual std::int64_t macs() const { return 0; }

  // ONNX export: adds the nodes computing this layer in inference mode (running statistics,
  // no dropout; opset onnx_opset) and returns the value holding its output: onnx.output(), or
  // an input's name for a layer that passes its input through. Called after setup(), with
  // the parameters' trained values. An empty result (the default) means the layer has no ONNX
  // form, and `ferlab export` refuses a network that contains it, naming the layer.
  virtual std::string export_onnx(const OnnxLayer& /*onnx*/) const { return {}; }
};

}  // namespace ferlab
