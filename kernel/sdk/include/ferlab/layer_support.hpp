// Helpers for layer plugins (header-only, installed with the SDK): plain descriptors, parameters
// with their gradients, and Staged, which moves a tensor between the layout the network holds it
// in and the one a oneDNN primitive wants. The contract a hand-written layer keeps is in
// plugins/README.md ("Layers and memory layouts").
#pragma once

#include <cstring>
#include <ferlab/layer.hpp>
#include <stdexcept>
#include <string>

namespace ferlab::layers {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// The plain (row-major) layout for a tensor of this rank: the layout of parameters.
inline tag plain_tag(std::size_t rank) {
  switch (rank) {
    case 1:
      return tag::a;
    case 2:
      return tag::ab;
    case 3:
      return tag::abc;
    case 4:
      return tag::abcd;
    case 5:
      return tag::abcde;
  }
  throw std::invalid_argument("unsupported tensor rank " + std::to_string(rank));
}

inline dnnl::memory::desc plain_desc(const dims& d) {
  return dnnl::memory::desc(d, dt::f32, plain_tag(d.size()));
}

inline float* data(const dnnl::memory& m) { return static_cast<float*>(m.get_data_handle()); }

inline std::int64_t volume(const dims& d) {
  std::int64_t n = 1;
  for (auto x : d) n *= x;
  return n;
}

// Elements of a dense f32 tensor (from its byte size: cheaper than dims()).
inline std::int64_t elements(const dnnl::memory& m) {
  return static_cast<std::int64_t>(m.get_desc().get_size() / sizeof(float));
}

inline void fill(const dnnl::memory& m, float value) {
  float* p = data(m);
  for (std::int64_t i = 0, n = elements(m); i < n; ++i) p[i] = value;
}

// A trainable parameter with a zeroed gradient of the same shape.
inline void make_parameter(Parameter& p, const std::string& name, const dims& d,
                           const dnnl::engine& engine, Parameter::Init init, bool decay) {
  p.name = name;
  p.value = dnnl::memory(plain_desc(d), engine);
  p.grad = dnnl::memory(plain_desc(d), engine);
  p.init = init;
  p.weight_decay = decay;
  fill(p.value, init == Parameter::Init::ones ? 1.f : 0.f);
  fill(p.grad, 0.f);
}

// A tensor a primitive wants in a layout of its choosing (format_tag::any) while the network
// holds it in another (`outside`: the producer's layout, or plain for parameters): reordered on
// the way in or out, or used as is when the layouts agree.
class Staged {
 public:
  enum Direction { into_primitive, out_of_primitive };

  void setup(const dnnl::memory::desc& outside, const dnnl::memory::desc& wanted,
             Direction direction, const dnnl::engine& engine) {
    wanted_ = wanted;
    direct_ = outside == wanted;
    internal_ = dnnl::memory();
    if (direct_) return;
    internal_ = dnnl::memory(wanted, engine);
    reorder_ = direction == into_primitive
                   ? dnnl::reorder(dnnl::reorder::primitive_desc(engine, outside, engine, wanted))
                   : dnnl::reorder(dnnl::reorder::primitive_desc(engine, wanted, engine, outside));
  }
  // The memory the primitive reads, after reordering `outside` into it.
  dnnl::memory in(const dnnl::memory& outside, dnnl::stream& stream) {
    if (direct_) return outside;
    reorder_.execute(stream, {{DNNL_ARG_FROM, outside}, {DNNL_ARG_TO, internal_}});
    return internal_;
  }
  // The memory the primitive writes; call out() afterwards.
  dnnl::memory target(const dnnl::memory& outside) const { return direct_ ? outside : internal_; }
  void out(const dnnl::memory& outside, dnnl::stream& stream) {
    if (!direct_) reorder_.execute(stream, {{DNNL_ARG_FROM, internal_}, {DNNL_ARG_TO, outside}});
  }
  // What in() last produced, for another primitive wanting the same layout.
  dnnl::memory last(const dnnl::memory& outside) const { return direct_ ? outside : internal_; }
  const dnnl::memory::desc& desc() const { return wanted_; }

 private:
  bool direct_ = true;
  dnnl::memory::desc wanted_;
  dnnl::memory internal_;
  dnnl::reorder reorder_;
};

// Plain weights in the layout a forward primitive wants. A pass with gradients reorders them
// every time (an optimizer step follows each); other passes reuse the reordered copy until
// the network's parameters_version changes, so inference does not pay for a reorder per batch.
class StagedWeights {
 public:
  void setup(const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted,
             const dnnl::engine& engine) {
    staged_.setup(plain, wanted, Staged::into_primitive, engine);
    fresh_ = false;
  }
  dnnl::memory in(const dnnl::memory& plain, LayerContext& ctx) {
    if (ctx.gradients || !fresh_ || version_ != ctx.parameters_version) {
      staged_.in(plain, ctx.stream);
      fresh_ = !ctx.gradients;
      version_ = ctx.parameters_version;
    }
    return staged_.last(plain);
  }
  dnnl::memory last(const dnnl::memory& plain) const { return staged_.last(plain); }
  const dnnl::memory::desc& desc() const { return staged_.desc(); }

 private:
  Staged staged_;
  bool fresh_ = false;
  std::uint64_t version_ = 0;
};

// A descriptor with the same dimensions and the layout left to the primitive.
inline dnnl::memory::desc any_layout(const dnnl::memory::desc& d, dt type = dt::f32) {
  return dnnl::memory::desc(d.dims(), type, tag::any);
}

// Copies `from` into `to`, reordering when their layouts differ (the reorder is created per
// call: for the rare layers that need it outside their hot path).
inline void copy_between_layouts(dnnl::memory from, dnnl::memory to, dnnl::stream& stream) {
  if (from.get_desc() == to.get_desc()) {
    std::memcpy(to.get_data_handle(), from.get_data_handle(), from.get_desc().get_size());
    return;
  }
  dnnl::reorder(from, to).execute(stream, from, to);
}

// Checks the input count and rank a layer accepts; the message names the layer.
inline void require_inputs(const char* layer, const std::vector<dnnl::memory::desc>& inputs,
                           std::size_t count, int min_rank, int max_rank) {
  if (inputs.size() != count && !(count == 0 && !inputs.empty()))
    throw std::invalid_argument(std::string(layer) + " takes " + std::to_string(count) +
                                " input(s), got " + std::to_string(inputs.size()));
  for (const auto& d : inputs) {
    int rank = d.data.ndims;
    if (rank < min_rank || rank > max_rank)
      throw std::invalid_argument(std::string(layer) + ": input of rank " + std::to_string(rank) +
                                  " not supported");
  }
}

}  // namespace ferlab::layers
