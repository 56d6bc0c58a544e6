#include "engine/optimizer.hpp"

#include <cmath>
#include <stdexcept>

namespace ferlab::engine {

namespace {

float* floats(const dnnl::memory& m) { return static_cast<float*>(m.get_data_handle()); }

std::size_t elements(const Parameter& p) {
  std::size_t n = 1;
  for (auto d : p.value.get_desc().dims()) n *= static_cast<std::size_t>(d);
  return n;
}

}  // namespace

Optimizer::Optimizer(const OptimizerOptions& options, const std::vector<Parameter*>& parameters)
    : options_(options) {
  const bool adam = options.name != options::Optimizer::sgd;
  for (Parameter* p : parameters) {
    if (!p->trainable()) continue;
    const std::size_t n = elements(*p);
    slots_.push_back({p, std::vector<float>(n, 0.f), std::vector<float>(adam ? n : 0, 0.f)});
  }
}

void Optimizer::step(double lr) {
  ++t_;
  const auto& o = options_;
  const float rate = static_cast<float>(lr);
  for (Slot& slot : slots_) {
    float* w = floats(slot.parameter->value);
    const float* g = floats(slot.parameter->grad);
    const std::size_t n = slot.m.size();
    const float decay = slot.parameter->weight_decay ? static_cast<float>(o.weight_decay) : 0.f;
    if (o.name == options::Optimizer::sgd) {
      // PyTorch's formulation: v = mu v + g (+ L2); Nesterov steps along g + mu v.
      const float mu = static_cast<float>(o.momentum);
      for (std::size_t i = 0; i < n; ++i) {
        const float grad = g[i] + decay * w[i];
        slot.m[i] = mu * slot.m[i] + grad;
        w[i] -= rate * (o.nesterov ? grad + mu * slot.m[i] : slot.m[i]);
      }
    } else {
      const bool decoupled = o.name == options::Optimizer::adamw;
      const float b1 = static_cast<float>(o.beta1), b2 = static_cast<float>(o.beta2);
      const float eps = static_cast<float>(o.eps);
      const double c1 = 1.0 - std::pow(o.beta1, static_cast<double>(t_));
      const double c2 = 1.0 - std::pow(o.beta2, static_cast<double>(t_));
      const float step = static_cast<float>(lr / c1);
      const float root_c2 = static_cast<float>(std::sqrt(c2));
      for (std::size_t i = 0; i < n; ++i) {
        if (decoupled) w[i] -= rate * decay * w[i];
        const float grad = decoupled ? g[i] : g[i] + decay * w[i];
        slot.m[i] = b1 * slot.m[i] + (1 - b1) * grad;
        slot.v[i] = b2 * slot.v[i] + (1 - b2) * grad * grad;
        w[i] -= step * slot.m[i] / (std::sqrt(slot.v[i]) / root_c2 + eps);
      }
    }
  }
}

Optimizer::Moments Optimizer::moments(const std::map<const Parameter*, std::string>& names) const {
  Moments out;
  for (const Slot& slot : slots_) {
    const std::string& name = names.at(slot.parameter);
    out[name + "/m"] = slot.m;
    if (!slot.v.empty()) out[name + "/v"] = slot.v;
  }
  return out;
}

void Optimizer::restore(long steps, const Moments& moments,
                        const std::map<const Parameter*, std::string>& names) {
  auto take = [&](const std::string& key, std::vector<float>& into) {
    auto it = moments.find(key);
    if (it == moments.end() || it->second.size() != into.size())
      throw std::runtime_error("optimizer state for '" + key +
                               (it == moments.end() ? "' is missing" : "' has another size"));
    into = it->second;
  };
  for (Slot& slot : slots_) {
    const std::string& name = names.at(slot.parameter);
    take(name + "/m", slot.m);
    if (!slot.v.empty()) take(name + "/v", slot.v);
  }
  t_ = steps;
}

double clip_gradients(const std::vector<Parameter*>& parameters, double max_norm) {
  double sum = 0;
  for (const Parameter* p : parameters) {
    if (!p->trainable()) continue;
    const float* g = floats(p->grad);
    for (std::size_t i = 0, n = elements(*p); i < n; ++i) sum += static_cast<double>(g[i]) * g[i];
  }
  const double norm = std::sqrt(sum);
  if (max_norm > 0 && norm > max_norm) {
    const float scale = static_cast<float>(max_norm / norm);
    for (const Parameter* p : parameters) {
      if (!p->trainable()) continue;
      float* g = floats(p->grad);
      for (std::size_t i = 0, n = elements(*p); i < n; ++i) g[i] *= scale;
    }
  }
  return norm;
}

}  // namespace ferlab::engine
