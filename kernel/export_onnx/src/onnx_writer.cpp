#include "export_onnx/onnx_writer.hpp"

#include <ferlab/schema_check.hpp>
#include <fstream>

#include "export_onnx/layer_emitters.hpp"
#include "export_onnx/onnx_graph.hpp"

namespace ferlab::export_onnx {
namespace {

// Every parameter tensor of the network by layer, then by parameter name.
std::map<std::string, std::map<std::string, Tensor>> parameters_by_layer(engine::Network& network) {
  std::map<std::string, std::map<std::string, Tensor>> all;
  for (const auto& [name, p] : network.named_parameters()) {
    const std::size_t slash = name.rfind('/');
    const dnnl::memory::dims dims = p->value.get_desc().dims();
    const auto* values = static_cast<const float*>(p->value.get_data_handle());
    const std::size_t count = p->value.get_desc().get_size() / sizeof(float);
    all[name.substr(0, slash)][name.substr(slash + 1)] =
        Tensor{{dims.begin(), dims.end()}, {values, values + count}};
  }
  return all;
}

Params resolved_params(const kernel::PluginCatalog& catalog, const LayerDef& def) {
  std::vector<std::string> problems;
  Params params =
      resolve_params(catalog.require(Kind::layer, def.type).factory.schema, def.params, problems);
  if (!problems.empty())
    throw std::invalid_argument("layer '" + def.name + "' (" + def.type + "): " + problems[0]);
  return params;
}

const Emitter& emitter_for(const LayerDef& def) {
  const EmitterTable& table = emitters();
  auto it = table.find(def.type);
  if (it != table.end()) return it->second;
  std::string known;
  for (const auto& [type, emit] : table) known += (known.empty() ? "" : ", ") + type;
  throw UnsupportedLayer("layer '" + def.name + "' of type '" + def.type +
                         "' has no ONNX equivalent in the exporter (it writes: " + known + ")");
}

// Adds the network's layers to the graph; returns the value holding the last layer's output
// (named `last_name` unless that layer passes its input through).
LayerInput add_layers(engine::Network& network, const kernel::PluginCatalog& catalog,
                      GraphBuilder& g, const std::string& last_name) {
  const NetworkDef def = network.definition();
  const std::vector<engine::LayerSummary> rows = network.summary();
  auto parameters = parameters_by_layer(network);
  const InputShape& in = network.input_shape();
  std::map<std::string, LayerInput> values{
      {"input", {"input", {in.channels, in.height, in.width}}}};
  std::string previous = "input";
  for (std::size_t i = 0; i < def.layers.size(); ++i) {
    const LayerDef& layer = def.layers[i];
    const Emitter& emit = emitter_for(layer);
    const Params params = resolved_params(catalog, layer);
    LayerToExport l{layer, params, {}, std::move(parameters[layer.name])};
    for (const std::string& source : layer.inputs.empty() ? std::vector{previous} : layer.inputs)
      l.inputs.push_back(values.at(source));
    const bool last = i + 1 == def.layers.size();
    const std::string out = emit(l, g, last ? last_name : g.fresh(layer.name));
    values[layer.name] = {out, rows[i].output};
    previous = layer.name;
  }
  return values.at(previous);
}

}  // namespace

std::string onnx_model(engine::Network& network, const kernel::PluginCatalog& catalog,
                       const OnnxOptions& options) {
  return onnx_model(std::vector<engine::Network*>{&network}, catalog, options);
}

std::string onnx_model(const std::vector<engine::Network*>& members,
                       const kernel::PluginCatalog& catalog, const OnnxOptions& options) {
  if (members.empty()) throw std::invalid_argument("ONNX export: no network to export");
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
    const std::string logits = ensemble ? g.fresh("member_logits") : "logits";
    const LayerInput last = add_layers(*network, catalog, g, logits);
    if (last.shape.size() != 1)
      throw std::invalid_argument(
          "ONNX export: the network must end in one value per class; its "
          "last layer gives " +
          std::to_string(last.shape.size() + 1) + "-D output");
    if (classes != 0 && last.shape[0] != classes)
      throw std::invalid_argument("ONNX export: the members of an ensemble differ in classes");
    classes = last.shape[0];
    // A pass-through last layer (dropout) leaves the value under another name.
    if (last.value != logits) g.node("Identity", {last.value}, {logits});
    const std::string p = ensemble ? g.fresh("member_probabilities") : "probabilities";
    member_probabilities.push_back(g.node("Softmax", {logits}, {p}, {{"axis", std::int64_t{1}}}));
  }
  if (ensemble) {
    // The mean of the members' probabilities (Sum, then a scale: OpenCV DNN imports both), and
    // as "logits" its logarithm, whose softmax gives the mean back.
    const std::string sum = g.node("Sum", member_probabilities, {g.fresh("probability_sum")});
    const std::string share =
        g.constant(g.fresh("member_share"), {1}, {1.f / static_cast<float>(members.size())});
    g.node("Mul", {sum, share}, {"probabilities"});
    g.node("Log", {"probabilities"}, {"logits"});
  }
  declare_float_tensor(*graph.add_output(), "logits", {0, classes});
  declare_float_tensor(*graph.add_output(), "probabilities", {0, classes});

  std::string bytes;
  if (!model.SerializeToString(&bytes))
    throw std::runtime_error("ONNX export: the model could not be serialized");
  return bytes;
}

void write_onnx(const std::filesystem::path& file, const std::vector<engine::Network*>& members,
                const kernel::PluginCatalog& catalog, const OnnxOptions& options) {
  const std::string bytes = onnx_model(members, catalog, options);
  std::ofstream out(file, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error(file.string() + ": cannot write the ONNX model");
}

void write_onnx(const std::filesystem::path& file, engine::Network& network,
                const kernel::PluginCatalog& catalog, const OnnxOptions& options) {
  write_onnx(file, std::vector<engine::Network*>{&network}, catalog, options);
}

}  // namespace ferlab::export_onnx
