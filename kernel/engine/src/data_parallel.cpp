#include "data_parallel.hpp"

#include <algorithm>
#include <chrono>

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

namespace {

// Runs `call`, adding its time to what summing gradients has cost (Collective::GradientTraffic).
template <class Call>
void timed(Collective& processes, const Call& call) {
  const auto start = std::chrono::steady_clock::now();
  call();
  processes.gradient_traffic().seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

GradientBuckets::GradientBuckets(Collective& processes, const std::vector<Parameter*>& trained,
                                 std::size_t bucket_bytes, std::size_t first_bucket_bytes)
    : processes_(processes),
      trained_(trained),
      bucket_floats_(bucket_bytes == 0 ? 0
                                       : std::max<std::size_t>(1, bucket_bytes / sizeof(float))),
      first_bucket_floats_(
          std::max<std::size_t>(1, std::min(first_bucket_bytes, bucket_bytes) / sizeof(float))) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < trained_.size(); ++i) {
    index_[trained_[i]] = i;
    total += count(trained_[i]->grad);
  }
  buffer_.resize(total);
}

void GradientBuckets::begin(double weight) {
  weight_ = weight;
  share_ = static_cast<float>(weight);
  placed_.clear();
  is_placed_.assign(trained_.size(), false);
  filled_ = bucket_start_ = 0;
  pending_.clear();
}

void GradientBuckets::layer_done(const std::vector<Parameter*>& parameters) {
  for (Parameter* p : parameters) add(p);
  if (filled_ - bucket_start_ >= (pending_.empty() ? first_bucket_floats_ : bucket_floats_))
    start_bucket();
  if (!pending_.empty())
    timed(processes_, [this] {
      for (auto& sum : pending_) sum->progress();
    });
}

void GradientBuckets::add(Parameter* p) {
  const auto found = index_.find(p);
  if (found == index_.end() || is_placed_[found->second]) return;  // not trained, or placed
  is_placed_[found->second] = true;
  const float* g = floats(p->grad);
  std::transform(g, g + count(p->grad), buffer_.data() + filled_,
                 [share = share_](float x) { return x * share; });
  placed_.emplace_back(p, filled_);
  filled_ += count(p->grad);
}

void GradientBuckets::start_bucket() {
  if (filled_ == bucket_start_) return;
  float* values = buffer_.data() + bucket_start_;
  const std::size_t n = filled_ - bucket_start_;
  timed(processes_, [&] { pending_.push_back(processes_.start_sum(values, n)); });
  bucket_start_ = filled_;
}

double GradientBuckets::finish(double loss, bool& stop) {
  for (Parameter* p : trained_) add(p);  // any no layer reported go in the last bucket
  if (overlaps())
    start_bucket();
  else
    timed(processes_, [this] { processes_.sum(buffer_.data(), filled_); });
  double figures[3] = {loss * weight_, weight_, stop ? 1.0 : 0.0};
  processes_.sum(figures, 3);
  stop = figures[2] > 0;
  timed(processes_, [this] {
    for (auto& sum : pending_) sum->wait();
  });
  Collective::GradientTraffic& traffic = processes_.gradient_traffic();
  ++traffic.steps;
  traffic.buckets += overlaps() ? static_cast<long>(pending_.size()) : 1;
  traffic.bytes += static_cast<double>(filled_ * sizeof(float));
  pending_.clear();
  if (figures[1] <= 0) return 0;  // no weight anywhere: nothing to learn from this batch
  const auto inverse = static_cast<float>(1.0 / figures[1]);
  for (const auto& [p, at] : placed_) {
    const float* summed = buffer_.data() + at;
    std::transform(summed, summed + count(p->grad), floats(p->grad),
                   [inverse](float x) { return x * inverse; });
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
