// Batch normalization's training forward pass as plain per-channel loops over the layouts
// convolutions produce (nchw, nChw8c/16c, nhwc, nc).
//
// Why not oneDNN's primitive here: its jit training kernels synchronise threads with spin
// barriers once per channel block, and on a shared machine (a thread descheduled while the
// other spins) one call took 130-500 ms where these loops take a few: measured with
// ONEDNN_VERBOSE=1 on vgg at batch 64 (bnorm_jit:avx512_core, aBcd16b). Each thread here owns
// whole (image, channel block) slices, so the only synchronisation is the end of the two
// parallel loops. Inference and the backward pass keep oneDNN's primitives.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <dnnl.hpp>
#include <optional>
#include <vector>

namespace ferlab::layers {

// offset(n, c, s) = n * image_stride + (c / block) * block_stride + s * position_stride
// + c % block, with s the position in the flattened spatial map; channels beyond `channels` are
// padding. Blocked layouts (nChw8c/16c) give their own blocks; nhwc (what bf16 convolutions
// write) is one block of every channel; nchw and nc have blocks of one channel.
struct ChannelLayout {
  std::int64_t batch = 0, channels = 0, blocks = 0, block = 1, spatial = 1;
  std::int64_t image_stride = 0, block_stride = 0, position_stride = 1;
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
  const bool image = md.ndims == 4;
  l.spatial = image ? md.dims[2] * md.dims[3] : 1;
  l.image_stride = b.strides[0];
  l.position_stride = image ? b.strides[3] : 1;
  // h and w must flatten into one index s.
  if (image && b.strides[2] != md.dims[3] * b.strides[3]) return std::nullopt;
  const std::int64_t padded = md.padded_dims[1];
  if (b.inner_nblks == 1 && b.inner_idxs[0] == 1) {
    l.block = b.inner_blks[0];
    l.blocks = padded / l.block;
    l.block_stride = b.strides[1];  // the stride of the outer channel index
    if (image && b.strides[3] != l.block) return std::nullopt;
  } else if (b.inner_nblks == 0 && b.strides[1] == 1 && l.spatial > 1) {
    l.block = l.channels;  // nhwc: one block of every channel
    l.blocks = 1;
    l.block_stride = 0;
  } else if (b.inner_nblks == 0) {
    l.block = 1;  // nchw, nc
    l.blocks = l.channels;
    l.block_stride = b.strides[1];
    if (image && b.strides[3] != 1) return std::nullopt;
  } else {
    return std::nullopt;
  }
  return l;
}

// FixedB > 0 fixes the block size at compile time so the per-lane loops vectorise.
// Mean and sum of squared deviations per lane of one image's slice of a channel block (a few
// hundred KB at most): summed twice while it sits in cache.
template <std::int64_t FixedB>
void slice_moments(const float* slice, std::int64_t spatial, std::int64_t stride,
                   std::int64_t runtime_block, float* __restrict mean, float* __restrict m2) {
  const std::int64_t B = FixedB > 0 ? FixedB : runtime_block;
  std::fill(mean, mean + B, 0.f);
  std::fill(m2, m2 + B, 0.f);
  for (std::int64_t s = 0; s < spatial; ++s)
    for (std::int64_t k = 0; k < B; ++k) mean[k] += slice[s * stride + k];
  const float inv = 1.f / static_cast<float>(spatial);
  for (std::int64_t k = 0; k < B; ++k) mean[k] *= inv;
  for (std::int64_t s = 0; s < spatial; ++s)
    for (std::int64_t k = 0; k < B; ++k) {
      const float d = slice[s * stride + k] - mean[k];
      m2[k] += d * d;
    }
}

// y = a * x + b per lane.
template <std::int64_t FixedB>
void normalize_slice(const float* x, float* y, std::int64_t spatial, std::int64_t stride,
                     std::int64_t runtime_block, const float* __restrict a,
                     const float* __restrict b) {
  const std::int64_t B = FixedB > 0 ? FixedB : runtime_block;
  for (std::int64_t s = 0; s < spatial; ++s)
    for (std::int64_t k = 0; k < B; ++k) y[s * stride + k] = a[k] * x[s * stride + k] + b[k];
}

// Calls body(n, cb, offset) for each image and channel block in parallel; offset is that of
// lane 0 at position 0. Images and blocks both split the work, so nhwc (one block) and a
// few wide blocks keep every thread busy.
template <class Body>
void for_each_slice(const ChannelLayout& l, Body body) {
#pragma omp parallel for collapse(2) schedule(static)
  for (std::int64_t n = 0; n < l.batch; ++n)
    for (std::int64_t cb = 0; cb < l.blocks; ++cb)
      body(n, cb, n * l.image_stride + cb * l.block_stride);
}

// Per channel statistics of a batch: the mean and the sum of squared deviations over `count`
// values (this process's part, or the whole batch once combined over the processes).
struct ChannelMoments {
  std::vector<double> mean, m2;
  double count = 0;
};

template <std::int64_t FixedB>
ChannelMoments local_moments(const ChannelLayout& l, const float* x) {
  const std::int64_t B = l.block, padded = l.blocks * B;
  // Per image moments, then merged in image order (the same result for any thread count):
  // mean = average of image means; m2 = sum of image m2 + spatial * sum of (image mean - mean)^2.
  std::vector<float> image_mean(l.batch * padded), image_m2(l.batch * padded);
  for_each_slice(l, [&](std::int64_t n, std::int64_t cb, std::int64_t offset) {
    const std::int64_t at = n * padded + cb * B;
    slice_moments<FixedB>(x + offset, l.spatial, l.position_stride, B, &image_mean[at],
                          &image_m2[at]);
  });
  ChannelMoments m{std::vector<double>(l.channels), std::vector<double>(l.channels),
                   static_cast<double>(l.batch * l.spatial)};
  for (std::int64_t c = 0; c < l.channels; ++c) {
    double mean = 0, m2 = 0;
    for (std::int64_t n = 0; n < l.batch; ++n) mean += image_mean[n * padded + c];
    mean /= static_cast<double>(l.batch);
    for (std::int64_t n = 0; n < l.batch; ++n) {
      const double d = image_mean[n * padded + c] - mean;
      m2 += image_m2[n * padded + c] + static_cast<double>(l.spatial) * d * d;
    }
    m.mean[c] = mean;
    m.m2[c] = m2;
  }
  return m;
}

// y = (x - mean) / sqrt(var + eps) * scale + shift with var = m2 / count; the statistics out.
template <std::int64_t FixedB>
void normalize(const ChannelLayout& l, const ChannelMoments& m, const float* x, float* y,
               const float* scale, const float* shift, float eps, float* mean_out, float* var_out) {
  const std::int64_t B = l.block, padded = l.blocks * B;
  std::vector<float> a(padded, 0.f), b(padded, 0.f);  // y = a * x + b; padding lanes give 0
  for (std::int64_t c = 0; c < l.channels; ++c) {
    const float var = static_cast<float>(m.m2[c] / m.count);
    mean_out[c] = static_cast<float>(m.mean[c]);
    var_out[c] = var;
    a[c] = scale[c] / std::sqrt(var + eps);
    b[c] = shift[c] - a[c] * mean_out[c];
  }
  for_each_slice(l, [&](std::int64_t, std::int64_t cb, std::int64_t offset) {
    normalize_slice<FixedB>(x + offset, y + offset, l.spatial, l.position_stride, B, &a[cb * B],
                            &b[cb * B]);
  });
}

// Calls f.template operator()<B>() with B the compile-time block size for this layout.
template <class F>
decltype(auto) with_block(const ChannelLayout& l, F&& f) {
  if (l.block == 16) return f.template operator()<16>();
  if (l.block == 8) return f.template operator()<8>();
  return f.template operator()<0>();
}

// Training forward: batch mean and (biased) variance per channel, then
// y = (x - mean) / sqrt(var + eps) * scale + shift. Padding lanes are written as 0.
// `combine`, when given, turns this process's moments into the whole batch's (synchronised
// batchnorm); returns the number of values the statistics cover.
template <class Combine>
double batchnorm_training_forward(const ChannelLayout& l, const float* x, float* y,
                                  const float* scale, const float* shift, float eps,
                                  float* mean_out, float* var_out, Combine combine) {
  return with_block(l, [&]<std::int64_t B>() {
    ChannelMoments m = local_moments<B>(l, x);
    combine(m);
    normalize<B>(l, m, x, y, scale, shift, eps, mean_out, var_out);
    return m.count;
  });
}

}  // namespace ferlab::layers
