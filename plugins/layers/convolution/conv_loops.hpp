// Convolution as plain loops: the independent reference the oneDNN layer is checked against.
// Tensors are plain row-major (NCHW; weights filters x channels/groups x k x k).
#pragma once

#include <cstddef>
#include <vector>

namespace conv_loops {

struct Shape {
  int n, c, h, w;
  int at(int in, int ic, int y, int x) const { return ((in * c + ic) * h + y) * w + x; }
  int size() const { return n * c * h * w; }
};

struct ConvGeometry {
  int filters, kernel, stride = 1, padding = 0, dilation = 1, groups = 1;
};

inline int out_size(int in, int kernel, int stride, int padding, int dilation = 1) {
  return (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

inline Shape conv_output_shape(Shape s, ConvGeometry g) {
  return {s.n, g.filters, out_size(s.h, g.kernel, g.stride, g.padding, g.dilation),
          out_size(s.w, g.kernel, g.stride, g.padding, g.dilation)};
}

// Calls visit(o, i, w) for every product a convolution sums: output element o (plain NCHW)
// takes input element i times weight w (weights: filters x (c / groups) x kernel x kernel).
template <class Visit>
void for_each_conv_product(Shape s, ConvGeometry g, Visit visit) {
  const Shape out = conv_output_shape(s, g);
  const int cg = s.c / g.groups, fg = g.filters / g.groups, k = g.kernel;
  std::size_t o = 0;
  for (int n = 0; n < s.n; ++n)
    for (int f = 0; f < g.filters; ++f)
      for (int y = 0; y < out.h; ++y)
        for (int x = 0; x < out.w; ++x, ++o) {
          const int group = f / fg;
          for (int ci = 0; ci < cg; ++ci)
            for (int ky = 0; ky < k; ++ky)
              for (int kx = 0; kx < k; ++kx) {
                const int iy = y * g.stride - g.padding + ky * g.dilation;
                const int ix = x * g.stride - g.padding + kx * g.dilation;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                visit(o, static_cast<std::size_t>(s.at(n, group * cg + ci, iy, ix)),
                      static_cast<std::size_t>(((f * cg + ci) * k + ky) * k + kx));
              }
        }
}

// The filter of output element o.
inline int conv_filter_of(std::size_t o, Shape out) {
  return static_cast<int>(o / (static_cast<std::size_t>(out.h) * out.w) % out.c);
}

inline std::vector<float> to_floats(const std::vector<double>& v) { return {v.begin(), v.end()}; }

// bias may be empty.
inline std::vector<float> conv2d(const std::vector<float>& in, Shape s,
                                 const std::vector<float>& weights, const std::vector<float>& bias,
                                 ConvGeometry g) {
  const Shape out = conv_output_shape(s, g);
  std::vector<double> sum(static_cast<std::size_t>(out.size()));
  if (!bias.empty())
    for (std::size_t o = 0; o < sum.size(); ++o) sum[o] = bias[conv_filter_of(o, out)];
  for_each_conv_product(s, g, [&](std::size_t o, std::size_t i, std::size_t w) {
    sum[o] += static_cast<double>(in[i]) * weights[w];
  });
  return to_floats(sum);
}

// Gradients of conv2d for the output gradient `grad`: each product's derivative accumulated
// where conv2d read its factors.
struct ConvGradients {
  std::vector<float> input, weights, bias;
};
inline ConvGradients conv2d_backward(const std::vector<float>& in, Shape s,
                                     const std::vector<float>& weights,
                                     const std::vector<float>& grad, ConvGeometry g) {
  const Shape out = conv_output_shape(s, g);
  std::vector<double> d_in(in.size()), d_w(weights.size()), d_b(g.filters);
  for (std::size_t o = 0; o < grad.size(); ++o) d_b[conv_filter_of(o, out)] += grad[o];
  for_each_conv_product(s, g, [&](std::size_t o, std::size_t i, std::size_t w) {
    d_in[i] += static_cast<double>(grad[o]) * weights[w];
    d_w[w] += static_cast<double>(grad[o]) * in[i];
  });
  return {to_floats(d_in), to_floats(d_w), to_floats(d_b)};
}

}  // namespace conv_loops
