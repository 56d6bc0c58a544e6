#include "engine/network.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "engine/threads.hpp"

namespace ferlab::engine {

namespace {

dnnl::memory::desc plain(const dnnl::memory::dims& d) {
  using tag = dnnl::memory::format_tag;
  static const tag tags[] = {tag::undef, tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde};
  if (d.empty() || d.size() > 5) throw std::invalid_argument("tensor rank not supported");
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, tags[d.size()]);
}

float* floats(const dnnl::memory& m) { return static_cast<float*>(m.get_data_handle()); }

// Floats in a buffer of this descriptor (blocked layouts include their padding).
std::int64_t buffer_floats(const dnnl::memory::desc& d) {
  return static_cast<std::int64_t>(d.get_size() / sizeof(float));
}

// Elements in one image's slice of a tensor whose first dimension is the batch.
std::int64_t elements_per_image(const dnnl::memory::desc& d) {
  std::int64_t n = 1;
  for (std::size_t i = 1; i < d.dims().size(); ++i) n *= d.dims()[i];
  return n;
}

// 64-byte aligned, as oneDNN's kernels prefer.
std::shared_ptr<void> allocate(std::size_t bytes) {
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) throw std::bad_alloc();
  return std::shared_ptr<void>(p, std::free);
}

// A gradient buffer backward needs: written at one step, read until another.
struct GradientSlot {
  int first_read;  // the producer's step (lowest step index that reads it)
  int written;     // the consumer's step
  dnnl::memory::desc desc;
  dnnl::memory* target;  // where the memory goes
  bool own;              // never shared (retained, or a dead end that must stay zero)
};

// Gives each slot its memory, in the order backward first writes them, reusing the smallest
// block free at that step that fits. Returns the blocks; adds their size to `bytes_allocated`.
std::vector<std::shared_ptr<void>> place_gradients(std::vector<GradientSlot> slots,
                                                   const dnnl::engine& engine,
                                                   std::int64_t& bytes_allocated) {
  std::stable_sort(slots.begin(), slots.end(), [](const GradientSlot& a, const GradientSlot& b) {
    return a.written > b.written;
  });
  struct Block {
    std::shared_ptr<void> memory;
    std::size_t bytes;
    int free_before;  // free at every step below this one (its last reader's step)
  };
  std::vector<Block> pool;
  for (const GradientSlot& slot : slots) {
    const std::size_t bytes = slot.desc.get_size();
    Block* best = nullptr;
    if (!slot.own)
      for (Block& b : pool)
        if (b.free_before > slot.written && b.bytes >= bytes && (!best || b.bytes < best->bytes))
          best = &b;
    if (!best) {
      pool.push_back({allocate(bytes), bytes, 0});
      bytes_allocated += static_cast<std::int64_t>(bytes);
      best = &pool.back();
      if (slot.own) std::fill_n(static_cast<float*>(best->memory.get()), bytes / 4, 0.f);
    }
    best->free_before = slot.own ? -1 : slot.first_read;
    *slot.target = dnnl::memory(slot.desc, engine, best->memory.get());
  }
  std::vector<std::shared_ptr<void>> blocks;
  for (Block& block : pool) blocks.push_back(std::move(block.memory));
  return blocks;
}

}  // namespace

// One layer, where its inputs come from and the buffers it reads and writes.
struct Network::Node {
  LayerDef def;
  std::shared_ptr<Layer> layer;
  std::vector<int> sources;  // producer node per input; -1 = the network input
  int edges_out = 0;         // how many inputs of later layers read this output
  bool in_place = false;     // the output is the (single) input's memory
  bool retain_grad = false;
  bool single_thread = false;  // too little work at this batch size to repay a second thread
  // Inference fusion: this layer runs inside its producer (skipped in inference passes), or
  // this layer applies its consumer as a post-op and writes the consumer's output.
  bool fused_into_producer = false;
  Node* fused_consumer = nullptr;
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

std::int64_t Network::single_thread_work() {
  static const std::int64_t work = [] {
    const char* text = std::getenv("FERLAB_SINGLE_THREAD_WORK");
    return text && *text ? std::stoll(text) : std::int64_t{1'000'000};
  }();
  return work;
}

void Network::prepare(int batch) {
  parameters_changed();  // callers prepare before a series of passes: pick up any new weights
  if (batch == batch_) return;
  if (batch < 1) throw std::invalid_argument("batch size must be positive");
  blocks_.clear();
  activation_bytes_ = 0;
  setup_layers(batch);
  allocate_gradients();
  batch_ = batch;
}

// Sets every layer up for this batch in the layouts its producers chose, and gives each
// output memory: its own, or its input's when it computes in place over a producer that no
// longer needs that output.
void Network::setup_layers(int batch) {
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
      // Primitives split their work by the thread count at creation: a layer found too small
      // for every thread is created again as it will run, on one.
      const std::int64_t work = node->layer->macs() + elements_per_image(node->output_desc);
      node->single_thread = batch * work < single_thread_work();
      if (node->single_thread) {
        SingleThreadScope scope(true);
        node->output_desc = node->layer->setup(descs, context_);
      }
    } catch (const std::exception& e) {
      throw std::invalid_argument("layer '" + node->def.name + "' (" + node->def.type +
                                  "): " + e.what());
    }
    const int s = node->sources.size() == 1 ? node->sources[0] : -1;
    node->in_place = s >= 0 && node->layer->computes_in_place() && nodes_[s]->edges_out == 1 &&
                     !nodes_[s]->layer->backward_reads_output() &&
                     node->output_desc == nodes_[s]->output_desc;
    if (node->in_place) {
      node->output = nodes_[s]->output;
    } else {
      const std::size_t bytes = node->output_desc.get_size();
      blocks_.push_back(allocate(bytes));
      activation_bytes_ += static_cast<std::int64_t>(bytes);
      node->output = dnnl::memory(node->output_desc, engine_, blocks_.back().get());
    }
  }
  fuse_for_inference();
  const dnnl::memory::desc last = nodes_.back()->output_desc;
  const dnnl::memory::desc last_plain = plain(last.dims());
  plain_output_ = plain_output_grad_ = dnnl::memory();
  if (last != last_plain) {
    plain_output_ = dnnl::memory(last_plain, engine_);
    plain_output_grad_ = dnnl::memory(last_plain, engine_);
    to_plain_output_ = dnnl::reorder(nodes_.back()->output, plain_output_);
    from_plain_output_grad_ = dnnl::reorder(plain_output_grad_, nodes_.back()->output);
  }
}

// Lets a producer apply its only consumer as a post-op in inference passes (conv + relu in one
// primitive: one pass over memory and one thread wake-up fewer, which matters most at batch 1).
void Network::fuse_for_inference() {
  std::vector<int> consumer_of(nodes_.size(), -1);
  for (std::size_t c = 0; c < nodes_.size(); ++c) {
    nodes_[c]->fused_into_producer = false;
    nodes_[c]->fused_consumer = nullptr;
    if (nodes_[c]->sources.size() == 1 && nodes_[c]->sources[0] >= 0)
      consumer_of[nodes_[c]->sources[0]] = static_cast<int>(c);
  }
  for (std::size_t p = 0; p < nodes_.size(); ++p) {
    Node& producer = *nodes_[p];
    if (producer.edges_out != 1 || consumer_of[p] < 0 || producer.fused_into_producer) continue;
    Node& consumer = *nodes_[consumer_of[p]];
    if (consumer.output_desc != producer.output_desc) continue;
    dnnl::post_ops ops;
    if (!consumer.layer->append_as_post_op(ops)) continue;
    SingleThreadScope scope(producer.single_thread);  // it builds its inference primitive
    if (!producer.layer->accept_post_ops(ops, context_)) continue;
    consumer.fused_into_producer = true;
    producer.fused_consumer = &consumer;
  }
}

// Gradient buffers by liveness. Backward runs the layers from last to first; the gradient
// flowing from consumer c into producer p is written at step c and last read at step p, so
// two gradients may share memory when one is done before the other starts. That keeps about
// two layers' worth of gradients alive instead of one per layer.
void Network::allocate_gradients() {
  const int n = static_cast<int>(nodes_.size());
  std::vector<GradientSlot> slots;
  for (auto& node : nodes_) {
    node->input_grads.assign(node->sources.size(), dnnl::memory());
    node->grad = dnnl::memory();
  }
  for (int i = 0; i < n; ++i) {
    Node& node = *nodes_[i];
    if (i == n - 1) {
      slots.push_back({i, n, node.output_desc, &node.grad, node.retain_grad});
    } else if (node.edges_out == 0) {
      slots.push_back({i, n, node.output_desc, &node.grad, true});  // a dead end: stays 0
    } else {
      // One slot per consumer's input; of several, only the first (where the others are
      // summed) is retained.
      bool first = true;
      for (int c = i + 1; c < n; ++c)
        for (std::size_t k = 0; k < nodes_[c]->sources.size(); ++k)
          if (nodes_[c]->sources[k] == i) {
            slots.push_back(
                {i, c, node.output_desc, &nodes_[c]->input_grads[k], first && node.retain_grad});
            first = false;
          }
    }
  }
  for (auto& block : place_gradients(std::move(slots), engine_, activation_bytes_))
    blocks_.push_back(std::move(block));
  // The producer of a single consumer reads that consumer's input gradient; the producer of
  // several sums theirs into the first.
  for (int c = 0; c < n; ++c)
    for (std::size_t k = 0; k < nodes_[c]->sources.size(); ++k) {
      const int p = nodes_[c]->sources[k];
      if (p >= 0 && !nodes_[p]->grad) nodes_[p]->grad = nodes_[c]->input_grads[k];
    }
}

float* Network::input() { return floats(input_); }

const float* Network::forward(Pass pass) {
  context_.training = pass == Pass::training;
  context_.gradients = pass != Pass::inference;
  context_.rng = pass == Pass::training ? &rng_ : nullptr;
  const bool inference = pass == Pass::inference;
  for (auto& node : nodes_) {
    if (inference && node->fused_into_producer) continue;
    const dnnl::memory& output =
        inference && node->fused_consumer ? node->fused_consumer->output : node->output;
    SingleThreadScope scope(node->single_thread);
    node->layer->forward(node->inputs, output, context_);
  }
  if (plain_output_) {
    SingleThreadScope scope(nodes_.back()->single_thread);
    to_plain_output_.execute(stream_, nodes_.back()->output, plain_output_);
  }
  stream_.wait();
  return floats(plain_output_ ? plain_output_ : nodes_.back()->output);
}

int Network::output_size() const {
  std::int64_t n = 1;
  for (auto d : nodes_.back()->output_desc.dims()) n *= d;
  return static_cast<int>(n / batch_);
}

Network::Node& Network::node_named(const std::string& layer) const {
  for (const auto& node : nodes_)
    if (node->def.name == layer) return *node;
  throw std::invalid_argument("no layer named '" + layer + "'");
}

std::vector<float> Network::plain_copy(const dnnl::memory& m) const {
  dnnl::memory src = m;
  dnnl::memory dst(plain(m.get_desc().dims()), engine_);
  dnnl::stream stream(engine_);
  dnnl::reorder(src, dst).execute(stream, src, dst);
  stream.wait();
  return std::vector<float>(floats(dst), floats(dst) + buffer_floats(dst.get_desc()));
}

int Network::stage_of(const std::string& layer) const { return node_named(layer).def.stage; }

const Layer& Network::layer(const std::string& name) const { return *node_named(name).layer; }

std::vector<float> Network::output_of(const std::string& layer) const {
  return plain_copy(node_named(layer).output);
}

void Network::retain_grad(const std::string& layer) {
  Node& node = node_named(layer);
  if (node.retain_grad) return;
  node.retain_grad = true;
  allocate_gradients();  // the old buffers stay in blocks_ until the next prepare()
}

std::vector<float> Network::grad_of(const std::string& layer) const {
  const Node& node = node_named(layer);
  if (!node.retain_grad && &node != nodes_.back().get())
    throw std::logic_error("grad_of('" + layer + "'): call retain_grad('" + layer +
                           "') before backward()");
  return plain_copy(node.grad);
}

float* Network::output_grad() {
  return floats(plain_output_grad_ ? plain_output_grad_ : nodes_.back()->grad);
}

void Network::backward(const LayerDone& layer_done) {
  if (plain_output_grad_) {
    SingleThreadScope scope(nodes_.back()->single_thread);
    from_plain_output_grad_.execute(stream_, plain_output_grad_, nodes_.back()->grad);
  }
  for (int i = static_cast<int>(nodes_.size()) - 1; i >= 0; --i) {
    Node& node = *nodes_[i];
    if (node.edges_out > 1) {
      // Sum the partial gradients the other consumers wrote into the first one's.
      stream_.wait();
      float* total = floats(node.grad);
      const std::int64_t n = buffer_floats(node.output_desc);
      for (std::size_t j = i + 1; j < nodes_.size(); ++j) {
        const Node& consumer = *nodes_[j];
        for (std::size_t k = 0; k < consumer.sources.size(); ++k) {
          if (consumer.sources[k] != i) continue;
          const float* part = floats(consumer.input_grads[k]);
          if (part == total) continue;
          for (std::int64_t e = 0; e < n; ++e) total[e] += part[e];
        }
      }
    }
    {
      SingleThreadScope scope(node.single_thread);
      node.layer->backward(node.inputs, node.output, node.grad, node.input_grads, context_);
    }
    if (layer_done) {
      stream_.wait();
      layer_done(node.layer->parameters());
    }
  }
  stream_.wait();
  parameters_changed();  // an optimizer step follows
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
    LayerSummary row{node->def.name,      node->def.type,     {}, 0,
                     node->layer->macs(), node->single_thread};
    auto dims = node->output_desc.dims();
    row.output.assign(dims.begin() + 1, dims.end());
    for (const Parameter* p : node->layer->parameters())
      if (p->trainable())
        row.parameters += static_cast<std::int64_t>(p->value.get_desc().get_size() / sizeof(float));
    rows.push_back(std::move(row));
  }
  return rows;
}

NetworkDef Network::definition() const {
  NetworkDef def;
  for (const auto& node : nodes_) def.layers.push_back(node->def);
  return def;
}

}  // namespace ferlab::engine
