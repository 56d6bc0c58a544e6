// Batch normalization's training passes as plain per-channel loops over the layouts
// convolutions produce (nchw, nChw8c/16c, nhwc, nc).
//
// Why not oneDNN's primitive here: its jit training kernels synchronise threads with spin
// barriers once per channel block, and on a shared machine (a thread descheduled while the
// other spins) one call took 130-500 ms where these loops take a few: measured with
// ONEDNN_VERBOSE=1 on vgg at batch 64 (bnorm_jit:avx512_core, aBcd16b). Each thread here owns
// whole channel blocks, so the only synchronisation is the end of the parallel loop.
// Inference keeps oneDNN's primitive (one pass, no barriers).
#pragma once

#include <cmath>
#include <cstdint>
#include <dnnl.hpp>
#include <optional>
#include <vector>

namespace ferlab::layers {

// offset(n, c, s) = ((n * blocks + c / block) * spatial + s) * block + c % block, with s the
// position in the flattened spatial map; channels beyond `channels` are padding.
struct ChannelLayout {
  std::int64_t batch = 0, channels = 0, blocks = 0, block = 1, spatial = 1;
};

// The layout of `d` in those terms, or nothing for a layout these loops do not cover.
inline std::optional<ChannelLayout> channel_layout(const dnnl::memory::desc& d) {
  const dnnl_memory_desc_t& md = d.data;
  if (md.format_kind != dnnl_blocked || md.data_type != dnnl_f32) return std::nullopt;
  if (md.ndims != 2 && md.ndims != 4) return std::nullopt;
  const auto& b = md.format_desc.blocking;
  ChannelLayout l;
  l.batch = md.dims[0];
  l.channels = md.dims[1];
  const std::int64_t w = md.ndims == 4 ? md.dims[3] : 1;
  l.spatial = md.ndims == 4 ? md.dims[2] * w : 1;
  const std::int64_t padded = md.padded_dims[1];
  if (b.inner_nblks == 1 && b.inner_idxs[0] == 1) {
    l.block = b.inner_blks[0];
    l.blocks = padded / l.block;
  } else if (b.inner_nblks == 0 && b.strides[1] == 1 && l.spatial > 1) {
    l.block = padded;  // nhwc: one block of every channel
    l.blocks = 1;
  } else if (b.inner_nblks == 0) {
    l.block = 1;  // nchw, nc
    l.blocks = padded;
  } else {
    return std::nullopt;
  }
  // Strides of n, c, h, w that the offset formula implies (c: between channel blocks).
  const std::int64_t B = l.block;
  const bool channel_ok = l.block == 1    ? b.strides[1] == l.spatial
                          : l.blocks == 1 ? true
                                          : b.strides[1] == l.spatial * B;
  const bool dense = channel_ok && b.strides[0] == l.blocks * l.spatial * B &&
                     (md.ndims == 2 || (b.strides[3] == B && b.strides[2] == w * B));
  if (!dense) return std::nullopt;
  return l;
}

// Calls body(cb, lanes, at) for each channel block, in parallel over blocks; at(n, s) is the
// offset of lane 0 of that block for image n at position s, lanes the real channels in it.
template <class Body>
void for_each_block(const ChannelLayout& l, Body body) {
#pragma omp parallel for schedule(static)
  for (std::int64_t cb = 0; cb < l.blocks; ++cb) {
    const std::int64_t lanes = std::min(l.block, l.channels - cb * l.block);
    auto at = [&](std::int64_t n, std::int64_t s) {
      return ((n * l.blocks + cb) * l.spatial + s) * l.block;
    };
    body(cb, lanes, at);
  }
}

// Training forward: batch mean and (biased) variance per channel, then
// y = (x - mean) / sqrt(var + eps) * scale + shift. Padding lanes are written as 0.
inline void batchnorm_training_forward(const ChannelLayout& l, const float* x, float* y,
                                       const float* scale, const float* shift, float eps,
                                       float* mean_out, float* var_out) {
  const double count = static_cast<double>(l.batch * l.spatial);
  for_each_block(l, [&](std::int64_t cb, std::int64_t lanes, auto at) {
    const std::int64_t B = l.block, c0 = cb * B;
    std::vector<double> sum(B, 0.0), sq(B, 0.0);
    for (std::int64_t n = 0; n < l.batch; ++n)
      for (std::int64_t s = 0; s < l.spatial; ++s) {
        const float* p = x + at(n, s);
        for (std::int64_t k = 0; k < B; ++k) sum[k] += p[k];
      }
    std::vector<float> mean(B), a(B, 0.f), b(B, 0.f);
    for (std::int64_t k = 0; k < B; ++k) mean[k] = static_cast<float>(sum[k] / count);
    for (std::int64_t n = 0; n < l.batch; ++n)
      for (std::int64_t s = 0; s < l.spatial; ++s) {
        const float* p = x + at(n, s);
        for (std::int64_t k = 0; k < B; ++k) {
          const double d = p[k] - mean[k];
          sq[k] += d * d;
        }
      }
    for (std::int64_t k = 0; k < lanes; ++k) {
      const float var = static_cast<float>(sq[k] / count);
      mean_out[c0 + k] = mean[k];
      var_out[c0 + k] = var;
      a[k] = scale[c0 + k] / std::sqrt(var + eps);  // y = a * x + b
      b[k] = shift[c0 + k] - a[k] * mean[k];
    }
    for (std::int64_t n = 0; n < l.batch; ++n)
      for (std::int64_t s = 0; s < l.spatial; ++s) {
        const float* p = x + at(n, s);
        float* q = y + at(n, s);
        for (std::int64_t k = 0; k < B; ++k) q[k] = a[k] * p[k] + b[k];
      }
  });
}

// Backward for y = (x - mean) * rstd * scale + shift. With batch statistics the mean and
// variance depend on x too (the usual three-term formula); with fixed (running) statistics
// they are constants.
inline void batchnorm_backward(const ChannelLayout& l, const float* x, const float* dy, float* dx,
                               const float* scale, const float* mean, const float* var, float eps,
                               bool batch_statistics, float* dscale, float* dshift) {
  const double count = static_cast<double>(l.batch * l.spatial);
  for_each_block(l, [&](std::int64_t cb, std::int64_t lanes, auto at) {
    const std::int64_t B = l.block, c0 = cb * B;
    std::vector<float> m(B, 0.f), rstd(B, 0.f);
    for (std::int64_t k = 0; k < lanes; ++k) {
      m[k] = mean[c0 + k];
      rstd[k] = 1.f / std::sqrt(var[c0 + k] + eps);
    }
    std::vector<double> sum_dy(B, 0.0), sum_dy_xhat(B, 0.0);
    for (std::int64_t n = 0; n < l.batch; ++n)
      for (std::int64_t s = 0; s < l.spatial; ++s) {
        const float* p = x + at(n, s);
        const float* g = dy + at(n, s);
        for (std::int64_t k = 0; k < B; ++k) {
          sum_dy[k] += g[k];
          sum_dy_xhat[k] += static_cast<double>(g[k]) * ((p[k] - m[k]) * rstd[k]);
        }
      }
    // dx = a * dy + b * xhat + c
    std::vector<float> a(B, 0.f), b(B, 0.f), c(B, 0.f);
    for (std::int64_t k = 0; k < lanes; ++k) {
      dscale[c0 + k] = static_cast<float>(sum_dy_xhat[k]);
      dshift[c0 + k] = static_cast<float>(sum_dy[k]);
      a[k] = scale[c0 + k] * rstd[k];
      if (batch_statistics) {
        b[k] = static_cast<float>(-a[k] * sum_dy_xhat[k] / count);
        c[k] = static_cast<float>(-a[k] * sum_dy[k] / count);
      }
    }
    if (!dx) return;
    for (std::int64_t n = 0; n < l.batch; ++n)
      for (std::int64_t s = 0; s < l.spatial; ++s) {
        const float* p = x + at(n, s);
        const float* g = dy + at(n, s);
        float* q = dx + at(n, s);
        for (std::int64_t k = 0; k < B; ++k)
          q[k] = a[k] * g[k] + b[k] * ((p[k] - m[k]) * rstd[k]) + c[k];
      }
  });
}

}  // namespace ferlab::layers
