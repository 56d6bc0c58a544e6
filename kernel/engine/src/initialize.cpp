#include "engine/initialize.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace ferlab::engine {

void initialize_parameters(const std::vector<Parameter*>& parameters, options::Init scheme,
                           std::uint64_t seed) {
  Rng rng(seed);
  for (Parameter* p : parameters) {
    float* w = static_cast<float*>(p->value.get_data_handle());
    std::size_t n = 1;
    for (auto d : p->value.get_desc().dims()) n *= static_cast<std::size_t>(d);
    if (p->init != Parameter::Init::fan) {
      std::fill_n(w, n, p->init == Parameter::Init::ones ? 1.f : 0.f);
      continue;
    }
    if (p->fan_in <= 0) throw std::logic_error("parameter '" + p->name + "' has no fan-in");
    if (scheme == options::Init::he) {
      std::normal_distribution<float> dist(0.f, std::sqrt(2.f / p->fan_in));
      for (std::size_t i = 0; i < n; ++i) w[i] = dist(rng);
    } else {
      const float limit =
          scheme == options::Init::pytorch
              ? 1.f / std::sqrt(static_cast<float>(p->fan_in))
              : std::sqrt(6.f / (p->fan_in + std::max<std::int64_t>(p->fan_out, 1)));
      std::uniform_real_distribution<float> dist(-limit, limit);
      for (std::size_t i = 0; i < n; ++i) w[i] = dist(rng);
    }
  }
}

}  // namespace ferlab::engine
