// Synchronised batchnorm (train.sync_batchnorm under mpirun): the statistics of the whole batch
// the processes share, and the gradients that go with them. Each process holds part of the
// batch and its own loss, normalised by its weight w (ProcessGroup::loss_weight); the trainer
// combines parameter gradients as sum_r (w_r / W) g_r. The statistics depend on every part, so
// an input gradient needs sums over all parts: with S1 = sum dy and S2 = sum dy (x - mean) on
// each process, G1 = sum_r w_r S1_r and G2 = sum_r w_r S2_r, and N values in the whole batch,
//   dx = a dy - a G1 / (w N) - (x - mean) a G2 / ((var + eps) w N),  a = scale / sqrt(var + eps)
// which is (W / w) times the gradient of the whole batch's loss: what the process's own
// backward pass must carry. Scale and shift get this process's sums, combined as usual.
#pragma once

#include <ferlab/layer.hpp>

#include "channel_loops.hpp"

namespace ferlab::layers {

// This process's moments made the whole batch's: sums over the processes of count * mean,
// m2 + count * mean^2 and count (the pooled mean and sum of squared deviations).
inline void combine_moments(ProcessGroup& processes, ChannelMoments& m) {
  const std::size_t channels = m.mean.size();
  std::vector<double> v(2 * channels + 1);
  for (std::size_t c = 0; c < channels; ++c) {
    v[c] = m.count * m.mean[c];
    v[channels + c] = m.m2[c] + m.count * m.mean[c] * m.mean[c];
  }
  v[2 * channels] = m.count;
  processes.sum(v.data(), v.size());
  m.count = v[2 * channels];
  for (std::size_t c = 0; c < channels; ++c) {
    m.mean[c] = v[c] / m.count;
    m.m2[c] = std::max(0.0, v[channels + c] - m.count * m.mean[c] * m.mean[c]);
  }
}

// Per channel over this process's part: sum of dy and of dy * (x - mean), per image first and
// then in image order (the same result for any thread count). `mean` has a value per lane.
template <std::int64_t FixedB>
void gradient_sums(const ChannelLayout& l, const float* x, const float* dy, const float* mean,
                   std::vector<double>& s1, std::vector<double>& s2) {
  const std::int64_t B = l.block, padded = l.blocks * B;
  std::vector<double> image_s1(l.batch * padded, 0.0), image_s2(l.batch * padded, 0.0);
  for_each_slice(l, [&](std::int64_t n, std::int64_t cb, std::int64_t offset) {
    double* a1 = &image_s1[n * padded + cb * B];
    double* a2 = &image_s2[n * padded + cb * B];
    const float* mu = mean + cb * B;
    for (std::int64_t s = 0; s < l.spatial; ++s)
      for (std::int64_t k = 0; k < (FixedB > 0 ? FixedB : B); ++k) {
        const std::int64_t at = offset + s * l.position_stride + k;
        a1[k] += dy[at];
        a2[k] += static_cast<double>(dy[at]) * (x[at] - mu[k]);
      }
  });
  s1.assign(l.channels, 0.0);
  s2.assign(l.channels, 0.0);
  for (std::int64_t c = 0; c < l.channels; ++c)
    for (std::int64_t n = 0; n < l.batch; ++n) {
      s1[c] += image_s1[n * padded + c];
      s2[c] += image_s2[n * padded + c];
    }
}

// dx = a * dy - k1 - (x - mean) * k2 per lane (padding lanes: all zero, so 0).
template <std::int64_t FixedB>
void input_gradient(const ChannelLayout& l, const float* x, const float* dy, float* dx,
                    const float* mean, const float* a, const float* k1, const float* k2) {
  const std::int64_t B = l.block;
  for_each_slice(l, [&](std::int64_t, std::int64_t cb, std::int64_t offset) {
    const std::int64_t lane = cb * B;
    for (std::int64_t s = 0; s < l.spatial; ++s)
      for (std::int64_t k = 0; k < (FixedB > 0 ? FixedB : B); ++k) {
        const std::int64_t at = offset + s * l.position_stride + k;
        dx[at] = a[lane + k] * dy[at] - k1[lane + k] - (x[at] - mean[lane + k]) * k2[lane + k];
      }
  });
}

struct SynchronisedGradients {
  float* dx;  // null when the input takes no gradient
  float* dscale;
  float* dshift;
};

// The backward pass described above; `count` is N, the values the forward statistics covered.
inline void synchronised_backward(const ChannelLayout& l, ProcessGroup& processes, double count,
                                  const float* x, const float* dy, const float* mean,
                                  const float* var, const float* scale, float eps,
                                  const SynchronisedGradients& out) {
  with_block(l, [&]<std::int64_t B>() {
    const std::int64_t padded = l.blocks * l.block;
    std::vector<float> mu(padded, 0.f), a(padded, 0.f), k1(padded, 0.f), k2(padded, 0.f);
    std::copy(mean, mean + l.channels, mu.begin());
    std::vector<double> s1, s2;
    gradient_sums<B>(l, x, dy, mu.data(), s1, s2);
    const double weight = processes.loss_weight();
    std::vector<double> g(2 * l.channels);
    for (std::int64_t c = 0; c < l.channels; ++c) {
      g[c] = weight * s1[c];
      g[l.channels + c] = weight * s2[c];
    }
    processes.sum(g.data(), g.size());
    const double normaliser = weight * count;
    for (std::int64_t c = 0; c < l.channels; ++c) {
      const double inv = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
      out.dshift[c] = static_cast<float>(s1[c]);
      out.dscale[c] = static_cast<float>(s2[c] * inv);
      a[c] = static_cast<float>(scale[c] * inv);
      k1[c] = static_cast<float>(scale[c] * inv * g[c] / normaliser);
      k2[c] = static_cast<float>(scale[c] * inv * inv * inv * g[l.channels + c] / normaliser);
    }
    if (out.dx) input_gradient<B>(l, x, dy, out.dx, mu.data(), a.data(), k1.data(), k2.data());
  });
}

}  // namespace ferlab::layers
