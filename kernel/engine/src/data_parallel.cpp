#include "data_parallel.hpp"

#include <algorithm>

namespace ferlab::engine::data_parallel {
namespace {

// A parameter may have no gradient memory (batchnorm's, in some layouts): it counts as empty.
float* floats(const dnnl::memory& m) {
  return m ? static_cast<float*>(m.get_data_handle()) : nullptr;
}
std::size_t count(const dnnl::memory& m) { return m ? m.get_desc().get_size() / sizeof(float) : 0; }

}  // namespace

void broadcast_parameters(Collective& processes, const std::vector<Parameter*>& parameters) {
  for (Parameter* p : parameters) processes.broadcast(floats(p->value), count(p->value), 0);
}

double reduce_gradients(Collective& processes, const std::vector<Parameter*>& trained, double loss,
                        double weight, std::vector<float>& buffer, bool& stop) {
  std::size_t total = 0;
  for (const Parameter* p : trained) total += count(p->grad);
  buffer.resize(total);
  float* at = buffer.data();
  const auto share = static_cast<float>(weight);
  for (const Parameter* p : trained) {
    const float* g = floats(p->grad);
    at = std::transform(g, g + count(p->grad), at, [share](float x) { return x * share; });
  }
  double figures[3] = {loss * weight, weight, stop ? 1.0 : 0.0};
  processes.sum(figures, 3);
  stop = figures[2] > 0;
  processes.sum(buffer.data(), buffer.size());
  if (figures[1] <= 0) return 0;  // no weight anywhere: nothing to learn from this batch
  const auto inverse = static_cast<float>(1.0 / figures[1]);
  at = buffer.data();
  for (const Parameter* p : trained) {
    float* g = floats(p->grad);
    const std::size_t n = count(p->grad);
    std::transform(at, at + n, g, [inverse](float x) { return x * inverse; });
    at += n;
  }
  return figures[0] / figures[1];
}

metrics::Confusion sum_confusion(Collective& processes, const metrics::Confusion& local,
                                 int classes) {
  std::vector<double> counts;
  for (int t = 0; t < classes; ++t)
    for (int p = 0; p < classes; ++p) counts.push_back(static_cast<double>(local.count(t, p)));
  processes.sum(counts.data(), counts.size());
  metrics::Confusion all(classes);
  for (int t = 0; t < classes; ++t)
    for (int p = 0; p < classes; ++p)
      for (auto n = static_cast<std::int64_t>(counts[t * classes + p]); n > 0; --n) all.add(t, p);
  return all;
}

}  // namespace ferlab::engine::data_parallel
