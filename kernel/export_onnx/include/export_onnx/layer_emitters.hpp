// How each layer type is written as ONNX nodes, in inference mode (running statistics, no
// dropout). One emitter per layer plugin type; a type without one cannot be exported.
#pragma once

#include <ferlab/network.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "export_onnx/onnx_graph.hpp"

namespace ferlab::export_onnx {

// A parameter's values in plain (row-major) order.
struct Tensor {
  std::vector<std::int64_t> dims;
  std::vector<float> values;
};

// One input of a layer: the ONNX value that holds it and its shape per image (no batch).
struct LayerInput {
  std::string value;
  std::vector<std::int64_t> shape;
};

struct LayerToExport {
  const LayerDef& def;
  const Params& params;  // resolved against the plugin's schema: every key present
  std::vector<LayerInput> inputs;
  std::map<std::string, Tensor> parameters;  // "weights", "bias", "running_mean", ...

  // Throws std::logic_error naming the layer when the parameter is missing.
  const Tensor& parameter(const std::string& name) const;
};

// Adds the nodes computing the layer and returns the value holding its output, named
// `output` unless the layer passes its input through unchanged (then that input's value).
using Emitter =
    std::function<std::string(const LayerToExport&, GraphBuilder&, const std::string& output)>;
using EmitterTable = std::map<std::string, Emitter>;

// Every layer type the exporter knows, by plugin name.
const EmitterTable& emitters();

// Activation layers (relu, gelu, swish, ...): added to the table by emitters().
void add_activation_emitters(EmitterTable& table);

}  // namespace ferlab::export_onnx
