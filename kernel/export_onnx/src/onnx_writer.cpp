#include "export_onnx/onnx_writer.hpp"

#include <fstream>

#include "export_onnx/onnx_graph.hpp"

namespace ferlab::export_onnx {
namespace {

// Asks each layer for its nodes; returns the value holding the last layer's output (named
// `last_name` unless that layer passes its input through).
OnnxValue add_layers(engine::Network& network, GraphBuilder& g, const std::string& last_name) {
  const NetworkDef def = network.definition();
  const std::vector<engine::LayerSummary> rows = network.summary();
  const InputShape& in = network.input_shape();
  std::map<std::string, OnnxValue> values{{"input", {"input", {in.channels, in.height, in.width}}}};
  std::string previous = "input";
  for (std::size_t i = 0; i < def.layers.size(); ++i) {
    const LayerDef& layer = def.layers[i];
    std::vector<OnnxValue> inputs;
    for (const std::string& source : layer.inputs.empty() ? std::vector{previous} : layer.inputs)
      inputs.push_back(values.at(source));
    const bool last = i + 1 == def.layers.size();
    const OnnxLayer request(layer.name, std::move(inputs), last ? last_name : g.fresh(layer.name),
                            g);
    const std::string out = network.layer(layer.name).export_onnx(request);
    if (out.empty())
      throw UnsupportedLayer("layer '" + layer.name + "' of type '" + layer.type +
                             "' has no ONNX form: its plugin does not implement "
                             "Layer::export_onnx");
    values[layer.name] = {out, rows[i].output};
    previous = layer.name;
  }
  return values.at(previous);
}

// A model with ferlab's header (IR version, opset, producer) and the metadata, no graph yet.
onnx::ModelProto empty_model(const OnnxOptions& options) {
  onnx::ModelProto model;
  model.set_ir_version(6);  // the IR version of opset 11 (ONNX 1.6)
  onnx::OperatorSetIdProto& opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(onnx_opset);
  model.set_producer_name("ferlab");
  model.set_producer_version(FERLAB_VERSION);
  for (const auto& [key, value] : options.metadata) {
    onnx::StringStringEntryProto& entry = *model.add_metadata_props();
    entry.set_key(key);
    entry.set_value(value);
  }
  return model;
}

// One network on "input", ending in "logits" and "probabilities" (or, in an ensemble, fresh
// names; its probabilities are appended to `probabilities`). Returns its class count.
std::int64_t add_member(engine::Network& network, GraphBuilder& g, bool ensemble,
                        std::vector<std::string>& probabilities) {
  const std::string logits = ensemble ? g.fresh("member_logits") : "logits";
  const OnnxValue last = add_layers(network, g, logits);
  if (last.shape.size() != 1)
    throw std::invalid_argument(
        "ONNX export: the network must end in one value per class; its last layer gives " +
        std::to_string(last.shape.size() + 1) + "-D output");
  // A pass-through last layer (dropout) leaves the value under another name.
  if (last.name != logits) g.node("Identity", {last.name}, logits);
  const std::string p = ensemble ? g.fresh("member_probabilities") : "probabilities";
  probabilities.push_back(g.node("Softmax", {logits}, p, {{"axis", std::int64_t{1}}}));
  return last.shape[0];
}

}  // namespace

std::string onnx_model(engine::Network& network, const OnnxOptions& options) {
  return onnx_model(std::vector<engine::Network*>{&network}, options);
}

std::string onnx_model(const std::vector<engine::Network*>& members, const OnnxOptions& options) {
  if (members.empty()) throw std::invalid_argument("ONNX export: no network to export");
  onnx::ModelProto model = empty_model(options);
  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("ferlab");
  GraphBuilder g(graph);
  for (const char* name : {"logits", "probabilities"}) g.reserve(name);
  const InputShape& in = members.front()->input_shape();
  declare_float_tensor(*graph.add_input(), g.claim("input"), {0, in.channels, in.height, in.width});

  const bool ensemble = members.size() > 1;
  std::vector<std::string> member_probabilities;
  std::int64_t classes = 0;
  for (engine::Network* network : members) {
    const InputShape& shape = network->input_shape();
    if (shape.channels != in.channels || shape.height != in.height || shape.width != in.width)
      throw std::invalid_argument(
          "ONNX export: the members of an ensemble must take inputs of "
          "one shape");
    const std::int64_t member_classes = add_member(*network, g, ensemble, member_probabilities);
    if (classes != 0 && member_classes != classes)
      throw std::invalid_argument("ONNX export: the members of an ensemble differ in classes");
    classes = member_classes;
  }
  if (ensemble) {
    // The mean of the members' probabilities (Sum, then a scale: OpenCV DNN imports both), and
    // as "logits" its logarithm, whose softmax gives the mean back.
    const std::string sum = g.node("Sum", member_probabilities, g.fresh("probability_sum"));
    const std::string share =
        g.constant(g.fresh("member_share"), {1}, {1.f / static_cast<float>(members.size())});
    g.node("Mul", {sum, share}, "probabilities");
    g.node("Log", {"probabilities"}, "logits");
  }
  declare_float_tensor(*graph.add_output(), "logits", {0, classes});
  declare_float_tensor(*graph.add_output(), "probabilities", {0, classes});

  std::string bytes;
  if (!model.SerializeToString(&bytes))
    throw std::runtime_error("ONNX export: the model could not be serialized");
  return bytes;
}

void write_onnx(const std::filesystem::path& file, const std::vector<engine::Network*>& members,
                const OnnxOptions& options) {
  const std::string bytes = onnx_model(members, options);
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error(file.string() + ": cannot write the ONNX model");
}

void write_onnx(const std::filesystem::path& file, engine::Network& network,
                const OnnxOptions& options) {
  write_onnx(file, std::vector<engine::Network*>{&network}, options);
}

}  // namespace ferlab::export_onnx
