// Small helpers shared by the in-tree layer plugins (header-only: each plugin is its own
// library and links nothing but the SDK).
#pragma once

#include <cstring>
#include <ferlab/layer.hpp>
#include <stdexcept>
#include <string>

namespace ferlab::layers {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// The plain (row-major) layout for a tensor of this rank: the layout layers exchange.
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
// passes plain ones: reordered on the way in or out, or used as is when the layouts agree.
class Staged {
 public:
  enum Direction { into_primitive, out_of_primitive };

  void setup(const dnnl::memory::desc& plain, const dnnl::memory::desc& wanted, Direction direction,
             const dnnl::engine& engine) {
    wanted_ = wanted;
    direct_ = plain == wanted;
    if (direct_) return;
    internal_ = dnnl::memory(wanted, engine);
    reorder_ = direction == into_primitive
                   ? dnnl::reorder(dnnl::reorder::primitive_desc(engine, plain, engine, wanted))
                   : dnnl::reorder(dnnl::reorder::primitive_desc(engine, wanted, engine, plain));
  }
  // The memory the primitive reads, after reordering `plain` into it.
  dnnl::memory in(const dnnl::memory& plain, dnnl::stream& stream) {
    if (direct_) return plain;
    reorder_.execute(stream, {{DNNL_ARG_FROM, plain}, {DNNL_ARG_TO, internal_}});
    return internal_;
  }
  // The memory the primitive writes; call out() afterwards.
  dnnl::memory target(const dnnl::memory& plain) const { return direct_ ? plain : internal_; }
  void out(const dnnl::memory& plain, dnnl::stream& stream) {
    if (!direct_) reorder_.execute(stream, {{DNNL_ARG_FROM, internal_}, {DNNL_ARG_TO, plain}});
  }
  // What in() last produced, for another primitive wanting the same layout.
  dnnl::memory last(const dnnl::memory& plain) const { return direct_ ? plain : internal_; }
  const dnnl::memory::desc& desc() const { return wanted_; }

 private:
  bool direct_ = true;
  dnnl::memory::desc wanted_;
  dnnl::memory internal_;
  dnnl::reorder reorder_;
};

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
