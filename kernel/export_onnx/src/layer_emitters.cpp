// Convolution, pooling, dense, batchnorm and structural layers as ONNX nodes. The geometry
// follows the layer plugins exactly: square kernels, the same padding on every side, floor
// rounding of output sizes, average pooling that leaves padding out of the mean.
#include "export_onnx/layer_emitters.hpp"

#include <stdexcept>

namespace ferlab::export_onnx {
namespace {

using Ints = std::vector<std::int64_t>;

Ints pair(std::int64_t v) { return {v, v}; }
Ints four(std::int64_t v) { return {v, v, v, v}; }

std::string convolution(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  const Tensor& w = l.parameter("weights");
  // Grouped weights are stored groups x filters/groups x channels/groups x k x k: the same
  // bytes as ONNX's filters x channels/groups x k x k.
  Ints dims = w.dims;
  if (dims.size() == 5) dims = {dims[0] * dims[1], dims[2], dims[3], dims[4]};
  const std::int64_t channels = l.inputs.at(0).shape.at(0);
  const std::int64_t groups = l.params.flag("depthwise") ? channels : l.params.integer("groups");
  std::vector<std::string> inputs{l.inputs[0].value,
                                  g.constant(g.fresh(l.def.name + "/weights"), dims, w.values)};
  if (l.params.flag("bias")) {
    const Tensor& b = l.parameter("bias");
    inputs.push_back(g.constant(g.fresh(l.def.name + "/bias"), b.dims, b.values));
  }
  const std::int64_t k = l.params.integer("kernel");
  return g.node("Conv", inputs, {out},
                {{"kernel_shape", pair(k)},
                 {"strides", pair(l.params.integer("stride"))},
                 {"pads", four(l.params.integer("padding"))},
                 {"dilations", pair(l.params.integer("dilation"))},
                 {"group", groups}});
}

Emitter pooling(const char* op) {
  return [op](const LayerToExport& l, GraphBuilder& g, const std::string& out) {
    const std::int64_t k = l.params.integer("kernel");
    const std::int64_t stride = l.params.integer("stride") == 0 ? k : l.params.integer("stride");
    std::vector<Attribute> attributes{{"kernel_shape", pair(k)},
                                      {"strides", pair(stride)},
                                      {"pads", four(l.params.integer("padding"))}};
    if (std::string(op) == "AveragePool")
      attributes.push_back({"count_include_pad", std::int64_t{0}});
    return g.node(op, {l.inputs.at(0).value}, {out}, attributes);
  };
}

std::string global_average(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  return g.node("GlobalAveragePool", {l.inputs.at(0).value}, {out});
}

// Gemm needs a matrix: a feature map is flattened first, as the dense layer reads it.
std::string dense(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  const Tensor& w = l.parameter("weights");
  std::int64_t fan_in = 1;
  for (std::size_t i = 1; i < w.dims.size(); ++i) fan_in *= w.dims[i];
  std::string x = l.inputs.at(0).value;
  if (l.inputs[0].shape.size() > 1)
    x = g.node("Flatten", {x}, {g.fresh(l.def.name + "/flatten")}, {{"axis", std::int64_t{1}}});
  std::vector<std::string> inputs{
      x, g.constant(g.fresh(l.def.name + "/weights"), {w.dims[0], fan_in}, w.values)};
  if (l.params.flag("bias")) {
    const Tensor& b = l.parameter("bias");
    inputs.push_back(g.constant(g.fresh(l.def.name + "/bias"), b.dims, b.values));
  }
  return g.node("Gemm", inputs, {out}, {{"transB", std::int64_t{1}}});
}

std::string batchnorm(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  std::vector<std::string> inputs{l.inputs.at(0).value};
  for (const char* name : {"scale", "shift", "running_mean", "running_var"}) {
    const Tensor& t = l.parameter(name);
    inputs.push_back(g.constant(g.fresh(l.def.name + "/" + name), t.dims, t.values));
  }
  return g.node("BatchNormalization", inputs, {out},
                {{"epsilon", static_cast<float>(l.params.number("epsilon"))}});
}

// Inference-mode dropout is the identity: no node at all.
std::string dropout(const LayerToExport& l, GraphBuilder&, const std::string&) {
  return l.inputs.at(0).value;
}

std::string flatten(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  return g.node("Flatten", {l.inputs.at(0).value}, {out}, {{"axis", std::int64_t{1}}});
}

// ONNX Add takes two inputs: a sum of more is a chain.
std::string add(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  std::string sum = l.inputs.at(0).value;
  for (std::size_t i = 1; i < l.inputs.size(); ++i) {
    const bool last = i + 1 == l.inputs.size();
    sum = g.node("Add", {sum, l.inputs[i].value},
                 {last ? out : g.fresh(l.def.name + "/sum" + std::to_string(i))});
  }
  return sum;
}

std::string concat(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  std::vector<std::string> inputs;
  for (const LayerInput& in : l.inputs) inputs.push_back(in.value);
  return g.node("Concat", inputs, {out}, {{"axis", std::int64_t{1}}});
}

}  // namespace

const Tensor& LayerToExport::parameter(const std::string& name) const {
  auto it = parameters.find(name);
  if (it == parameters.end())
    throw std::logic_error("ONNX export: layer '" + def.name + "' (" + def.type +
                           ") has no parameter '" + name + "'");
  return it->second;
}

const EmitterTable& emitters() {
  static const EmitterTable table = [] {
    EmitterTable t{{"convolution", convolution},
                   {"max-pool", pooling("MaxPool")},
                   {"avg-pool", pooling("AveragePool")},
                   {"global-avg-pool", global_average},
                   {"dense", dense},
                   {"batchnorm", batchnorm},
                   {"dropout", dropout},
                   {"flatten", flatten},
                   {"add", add},
                   {"concat", concat}};
    add_activation_emitters(t);
    return t;
  }();
  return table;
}

}  // namespace ferlab::export_onnx
