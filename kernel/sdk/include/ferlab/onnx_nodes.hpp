// ONNX export of layer plugins. `ferlab export` walks the network and asks each layer for the
// nodes that compute it in inference mode (running statistics, no dropout), through
// Layer::export_onnx and this interface: plain C++ types, so a plugin needs neither protobuf
// nor the ONNX headers. The exporter writes opset `onnx_opset`.
#pragma once

#include <cstdint>
#include <dnnl.hpp>
#include <ferlab/plugin.hpp>
#include <string>
#include <variant>
#include <vector>

namespace ferlab {

// Opset 11 is what OpenCV 4.x's importer supports best (Debian 12 ships OpenCV 4.6).
inline constexpr std::int64_t onnx_opset = 11;

struct OnnxAttribute {
  std::string name;
  std::variant<std::int64_t, float, std::vector<std::int64_t>> value;
};

// A value of the graph: its name and its shape per image (no batch dimension).
struct OnnxValue {
  std::string name;
  std::vector<std::int64_t> shape;
};

// The graph being written. Every value name is checked: a clash throws std::logic_error
// (it would silently rewire the graph).
class FERLAB_API OnnxGraph {
 public:
  virtual ~OnnxGraph();
  // A name no value has yet and none will get, starting with `stem`.
  virtual std::string fresh(const std::string& stem) = 0;
  // A float constant (an initializer) of these dimensions (empty: a scalar); returns `name`.
  virtual std::string constant(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<float>& values) = 0;
  // One node with one output, named `output`; returns that name.
  std::string node(const std::string& op, const std::vector<std::string>& inputs,
                   const std::string& output, const std::vector<OnnxAttribute>& attributes = {}) {
    return add_node(op, inputs, output, attributes);
  }

 protected:
  virtual std::string add_node(const std::string& op, const std::vector<std::string>& inputs,
                               const std::string& output,
                               const std::vector<OnnxAttribute>& attributes) = 0;
};

// What the exporter hands a layer: where its inputs are and what to call its output.
class FERLAB_API OnnxLayer {
 public:
  OnnxLayer(std::string layer, std::vector<OnnxValue> inputs, std::string output, OnnxGraph& graph)
      : layer_(std::move(layer)),
        inputs_(std::move(inputs)),
        output_(std::move(output)),
        graph_(graph) {}

  const std::vector<OnnxValue>& inputs() const { return inputs_; }
  const std::string& input(std::size_t i = 0) const { return inputs_.at(i).name; }
  const std::vector<std::int64_t>& input_shape(std::size_t i = 0) const {
    return inputs_.at(i).shape;
  }
  // The name the layer's output must take (a pass-through layer returns its input instead).
  const std::string& output() const { return output_; }
  OnnxGraph& graph() const { return graph_; }

  // A fresh value name for an intermediate of this layer: "<layer>/<what>...".
  std::string fresh(const std::string& what) const { return graph_.fresh(layer_ + "/" + what); }
  // One node with an intermediate output ("<layer>/<op>...") or, given `output`, that one.
  std::string node(const std::string& op, const std::vector<std::string>& inputs,
                   const std::vector<OnnxAttribute>& attributes = {},
                   const std::string& output = "") const;
  // The layer's parameter (plain f32, as Parameter::value holds it) as a constant, with its
  // own dimensions or, given `dims`, reshaped to those (same element count).
  std::string constant(const std::string& what, const dnnl::memory& plain,
                       std::vector<std::int64_t> dims = {}) const;
  // A scalar constant.
  std::string scalar(const std::string& what, double value) const;

 private:
  std::string layer_;
  std::vector<OnnxValue> inputs_;
  std::string output_;
  OnnxGraph& graph_;
};

}  // namespace ferlab
