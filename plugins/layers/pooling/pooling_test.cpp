// Max, average and global-average pooling against plain loops, on odd shapes with stride and
// padding, in every layout, and their gradients against central finite differences. With the
// SDK's kit only.
#include <gtest/gtest.h>

#include <algorithm>
#include <ferlab/testing.hpp>
#include <limits>

using namespace ferlab::plugin_test;
using ferlab::Layer;
using ferlab::Params;

namespace {

struct Shape {
  int n, c, h, w;
};

// Pooling over kh x kw windows; padded positions are left out (of the max and of the mean).
std::vector<float> pool_loops(const std::vector<float>& in, Shape s, int kh, int kw, int stride,
                              int padding, bool max) {
  const int oh = (s.h + 2 * padding - kh) / stride + 1;
  const int ow = (s.w + 2 * padding - kw) / stride + 1;
  std::vector<float> out;
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int count = 0;
          for (int ky = 0; ky < kh; ++ky)
            for (int kx = 0; kx < kw; ++kx) {
              const int iy = y * stride - padding + ky, ix = x * stride - padding + kx;
              if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
              const double v = in[((n * s.c + c) * s.h + iy) * s.w + ix];
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          out.push_back(static_cast<float>(max ? best : sum / count));
        }
  return out;
}

struct PoolCase {
  const char* type;
  Shape in;
  int kernel, stride, padding;  // stride 0: the kernel
};

// What a test name's listing shows of a case (instead of its bytes).
void PrintTo(const PoolCase& c, std::ostream* out) {
  *out << c.type << " on " << c.in.n << "x" << c.in.c << "x" << c.in.h << "x" << c.in.w
       << ", kernel " << c.kernel << ", stride " << c.stride << ", padding " << c.padding;
}

class Pooling : public ::testing::TestWithParam<PoolCase> {};

}  // namespace

TEST(Pooling, SchemasAreSound) { EXPECT_TRUE(plugin_under_test().schema_problems().empty()); }

TEST_P(Pooling, MatchesLoopsInEveryLayoutAndFiniteDifferences) {
  const PoolCase& c = GetParam();
  const std::string type = c.type;
  const Shape s = c.in;
  const bool global = type == "global-avg-pool";
  Params params;
  if (!global)
    params = Params({{"kernel", std::int64_t{c.kernel}},
                     {"stride", std::int64_t{c.stride}},
                     {"padding", std::int64_t{c.padding}}});
  for (Layout layout : all_layouts) {
    LayerHarness h(plugin_under_test().create<Layer>(type, params), {{s.n, s.c, s.h, s.w}}, 7,
                   layout);
    const auto expected =
        global ? pool_loops(h.input(0), s, s.h, s.w, 1, 0, false)
               : pool_loops(h.input(0), s, c.kernel, c.kernel, c.stride == 0 ? c.kernel : c.stride,
                            c.padding, type == "max-pool");
    EXPECT_EQ(first_difference(h.forward(false), expected, 1e-6), "") << to_string(layout);
    EXPECT_EQ(first_difference(h.forward(true), expected, 1e-6), "") << to_string(layout);
    if (global) {
      EXPECT_EQ(h.output_dims(), (dnnl::memory::dims{s.n, s.c, 1, 1}));
    }
    EXPECT_EQ(gradient_failures(h.check_gradients()), "") << to_string(layout);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Pooling,
                         ::testing::Values(PoolCase{"max-pool", {1, 3, 7, 5}, 2, 0, 0},
                                           PoolCase{"max-pool", {2, 3, 7, 5}, 3, 2, 1},
                                           PoolCase{"avg-pool", {1, 3, 7, 5}, 2, 2, 0},
                                           PoolCase{"avg-pool", {2, 3, 7, 5}, 3, 2, 1},
                                           PoolCase{"global-avg-pool", {2, 3, 7, 5}, 0, 0, 0},
                                           PoolCase{"global-avg-pool", {1, 1, 1, 1}, 0, 0, 0}),
                         [](const ::testing::TestParamInfo<PoolCase>& info) {
                           std::string name = info.param.type;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name + "_" + std::to_string(info.index);
                         });
