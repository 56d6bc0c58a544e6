#include "engine/network.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace ferlab::engine {

namespace {

dnnl::memory::desc plain(const dnnl::memory::dims& d) {
  using tag = dnnl::memory::format_tag;
  static const tag tags[] = {tag::undef, tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde};
  if (d.empty() || d.size() > 5) throw std::invalid_argument("tensor rank not supported");
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, tags[d.size()]);
}

float* floats(const dnnl::memory& m) { return static_cast<float*>(m.get_data_handle()); }

std::int64_t elements(const dnnl::memory::desc& d) {
  std::int64_t n = 1;
  for (auto x : d.dims()) n *= x;
  return n;
}

}  // namespace

// One layer, where its inputs come from and the buffers it writes.
struct Network::Node {
  LayerDef def;
  std::shared_ptr<Layer> layer;
  std::vector<int> sources;  // producer node per input; -1 = the network input
  int edges_out = 0;         // how many inputs of later layers read this output
  dnnl::memory::desc output_desc;
  dnnl::memory output, grad;
  // An input whose producer feeds several inputs gets a gradient buffer of its own; the
  // producer sums them. Otherwise the producer's grad is written directly.
  std::vector<dnnl::memory> inputs, input_grads;
};

Network::Network(const NetworkDef& def, const LayerFactory& make, const InputShape& input)
    : input_shape_(input), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
  context_.engine = engine_;
  context_.stream = stream_;
  if (def.layers.empty()) throw std::invalid_argument("network has no layers");
  std::map<std::string, int> index;
  for (const LayerDef& layer : def.layers) {
    if (layer.name == "input" || index.count(layer.name))
      throw std::invalid_argument("layer name '" + layer.name + "' is " +
                                  (layer.name == "input" ? "reserved" : "used twice"));
    auto node = std::make_unique<Node>();
    node->def = layer;
    if (layer.inputs.empty()) {
      node->sources.push_back(static_cast<int>(nodes_.size()) - 1);  // previous, or input
    }
    for (const std::string& name : layer.inputs) {
      if (name == "input") {
        node->sources.push_back(-1);
        continue;
      }
      auto it = index.find(name);
      if (it == index.end())
        throw std::invalid_argument("layer '" + layer.name + "': input '" + name +
                                    "' is not an earlier layer");
      node->sources.push_back(it->second);
    }
    for (int s : node->sources)
      if (s >= 0) ++nodes_[s]->edges_out;
    node->layer = make(layer);
    if (!node->layer) throw std::invalid_argument("layer '" + layer.name + "' was not created");
    index[layer.name] = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(node));
  }
  prepare(1);
}

Network::~Network() = default;

void Network::prepare(int batch) {
  if (batch == batch_) return;
  if (batch < 1) throw std::invalid_argument("batch size must be positive");
  const dnnl::memory::desc input_desc =
      plain({batch, input_shape_.channels, input_shape_.height, input_shape_.width});
  input_ = dnnl::memory(input_desc, engine_);
  for (auto& node : nodes_) {
    std::vector<dnnl::memory::desc> descs;
    node->inputs.clear();
    for (int s : node->sources) {
      descs.push_back(s < 0 ? input_desc : nodes_[s]->output_desc);
      node->inputs.push_back(s < 0 ? input_ : nodes_[s]->output);
    }
    try {
      node->output_desc = node->layer->setup(descs, context_);
    } catch (const std::exception& e) {
      throw std::invalid_argument("layer '" + node->def.name + "' (" + node->def.type +
                                  "): " + e.what());
    }
    node->output = dnnl::memory(node->output_desc, engine_);
    node->grad = dnnl::memory(node->output_desc, engine_);
    std::fill_n(floats(node->grad), elements(node->output_desc), 0.f);  // dead ends stay 0
  }
  // Input gradient buffers, once every output exists.
  for (auto& node : nodes_) {
    node->input_grads.clear();
    for (int s : node->sources) {
      if (s < 0) {
        node->input_grads.emplace_back();  // the network input needs no gradient
      } else if (nodes_[s]->edges_out == 1) {
        node->input_grads.push_back(nodes_[s]->grad);
      } else {
        node->input_grads.emplace_back(nodes_[s]->output_desc, engine_);
      }
    }
  }
  batch_ = batch;
}

float* Network::input() { return floats(input_); }

const float* Network::forward(bool training) {
  context_.training = training;
  context_.rng = training ? &rng_ : nullptr;
  for (auto& node : nodes_) node->layer->forward(node->inputs, node->output, context_);
  stream_.wait();
  return floats(nodes_.back()->output);
}

int Network::output_size() const {
  return static_cast<int>(elements(nodes_.back()->output_desc) / batch_);
}

const float* Network::output_of(const std::string& layer) const {
  for (const auto& node : nodes_)
    if (node->def.name == layer) return floats(node->output);
  throw std::invalid_argument("no layer named '" + layer + "'");
}

float* Network::output_grad() { return floats(nodes_.back()->grad); }

void Network::backward() {
  context_.training = true;
  for (int i = static_cast<int>(nodes_.size()) - 1; i >= 0; --i) {
    Node& node = *nodes_[i];
    if (node.edges_out > 1) {
      // Sum the partial gradients every consumer wrote for this output.
      stream_.wait();
      float* total = floats(node.grad);
      const std::int64_t n = elements(node.output_desc);
      std::fill_n(total, n, 0.f);
      for (std::size_t j = i + 1; j < nodes_.size(); ++j) {
        const Node& consumer = *nodes_[j];
        for (std::size_t k = 0; k < consumer.sources.size(); ++k) {
          if (consumer.sources[k] != i) continue;
          const float* part = floats(consumer.input_grads[k]);
          for (std::int64_t e = 0; e < n; ++e) total[e] += part[e];
        }
      }
    }
    node.layer->backward(node.inputs, node.output, node.grad, node.input_grads, context_);
  }
  stream_.wait();
}

std::vector<Parameter*> Network::parameters() {
  std::vector<Parameter*> all;
  for (auto& node : nodes_)
    for (Parameter* p : node->layer->parameters()) all.push_back(p);
  return all;
}

std::vector<std::pair<std::string, Parameter*>> Network::named_parameters() {
  std::vector<std::pair<std::string, Parameter*>> all;
  for (auto& node : nodes_)
    for (Parameter* p : node->layer->parameters())
      all.emplace_back(node->def.name + "/" + p->name, p);
  return all;
}

std::int64_t Network::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& s : summary()) n += s.parameters;
  return n;
}

std::int64_t Network::macs() const {
  std::int64_t n = 0;
  for (const auto& node : nodes_) n += node->layer->macs();
  return n;
}

std::vector<LayerSummary> Network::summary() const {
  std::vector<LayerSummary> rows;
  for (const auto& node : nodes_) {
    LayerSummary row{node->def.name, node->def.type, {}, 0, node->layer->macs()};
    auto dims = node->output_desc.dims();
    row.output.assign(dims.begin() + 1, dims.end());
    for (const Parameter* p : node->layer->parameters())
      if (p->trainable()) row.parameters += elements(p->value.get_desc());
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ferlab::engine
