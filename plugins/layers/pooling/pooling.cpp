// Max, average and global average pooling with oneDNN pooling primitives.
#include <ferlab/abi.hpp>
#include <ferlab/layer_support.hpp>
#include <memory>

namespace ferlab::layers {
namespace {

using namespace dnnl;

// Window geometry; global = one window covering the whole map.
struct Window {
  std::int64_t kernel = 2, stride = 2, padding = 0;
  bool global = false;
};

class Pooling final : public Layer {
 public:
  Pooling(const char* name, algorithm alg, Window window)
      : name_(name), alg_(alg), window_(window) {}

  memory::desc setup(const std::vector<memory::desc>& inputs, LayerContext& ctx) override {
    require_inputs(name_, inputs, 1, 4, 4);
    const dims in = inputs[0].dims();
    const std::int64_t h = in[2], w = in[3];
    const dims kernel = window_.global ? dims{h, w} : dims{window_.kernel, window_.kernel};
    const dims strides = window_.global ? dims{1, 1} : dims{window_.stride, window_.stride};
    const dims pad = window_.global ? dims{0, 0} : dims{window_.padding, window_.padding};
    const std::int64_t oh = (h + 2 * pad[0] - kernel[0]) / strides[0] + 1;
    const std::int64_t ow = (w + 2 * pad[1] - kernel[1]) / strides[1] + 1;
    if (oh < 1 || ow < 1)
      throw std::invalid_argument(std::string(name_) + ": window larger than the input " +
                                  std::to_string(h) + "x" + std::to_string(w));
    if (pad[0] >= kernel[0])
      throw std::invalid_argument(std::string(name_) + ": padding must be smaller than kernel");

    // Any input layout; the output takes the layout the primitive picks for it (the same
    // blocking as the input).
    const memory::desc src = inputs[0];
    const memory::desc dst(dims{in[0], in[1], oh, ow}, dt::f32, tag::any);
    // Training keeps where each maximum came from (the workspace backward needs); inference
    // does without.
    auto fwd_pd =
        pooling_forward::primitive_desc(pooling_forward::desc(prop_kind::forward_training, alg_,
                                                              src, dst, strides, kernel, pad, pad),
                                        ctx.engine);
    forward_ = pooling_forward(fwd_pd);
    const memory::desc out = fwd_pd.dst_desc();
    infer_ = pooling_forward(
        pooling_forward::primitive_desc(pooling_forward::desc(prop_kind::forward_inference, alg_,
                                                              src, out, strides, kernel, pad, pad),
                                        ctx.engine));
    workspace_ = memory();
    if (fwd_pd.workspace_desc().get_size() > 0)
      workspace_ = memory(fwd_pd.workspace_desc(), ctx.engine);
    auto bwd_pd = pooling_backward::primitive_desc(
        pooling_backward::desc(alg_, src, out, strides, kernel, pad, pad), ctx.engine, fwd_pd);
    backward_ = pooling_backward(bwd_pd);
    return out;
  }

  void forward(const std::vector<memory>& inputs, const memory& output,
               LayerContext& ctx) override {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, inputs[0]}, {DNNL_ARG_DST, output}};
    if (!ctx.gradients) return infer_.execute(ctx.stream, args);
    if (workspace_) args[DNNL_ARG_WORKSPACE] = workspace_;
    forward_.execute(ctx.stream, args);
  }

  void backward(const std::vector<memory>&, const memory&, const memory& output_grad,
                const std::vector<memory>& input_grads, LayerContext& ctx) override {
    if (!input_grads[0]) return;
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, output_grad},
                                         {DNNL_ARG_DIFF_SRC, input_grads[0]}};
    if (workspace_) args[DNNL_ARG_WORKSPACE] = workspace_;
    backward_.execute(ctx.stream, args);
  }

  bool backward_reads_output() const override { return false; }

  std::string export_onnx(const OnnxLayer& onnx) const override {
    if (window_.global) return onnx.node("GlobalAveragePool", {onnx.input()}, {}, onnx.output());
    using Ints = std::vector<std::int64_t>;
    const std::int64_t k = window_.kernel, s = window_.stride, p = window_.padding;
    std::vector<OnnxAttribute> attributes{
        {"kernel_shape", Ints{k, k}}, {"strides", Ints{s, s}}, {"pads", Ints{p, p, p, p}}};
    const bool max = alg_ == algorithm::pooling_max;
    if (!max) attributes.push_back({"count_include_pad", std::int64_t{0}});
    return onnx.node(max ? "MaxPool" : "AveragePool", {onnx.input()}, attributes, onnx.output());
  }

 private:
  const char* name_;
  algorithm alg_;
  Window window_;
  pooling_forward forward_, infer_;
  pooling_backward backward_;
  memory workspace_;  // where each max came from, for backward
};

Window window_from(const Params& p) {
  Window w;
  w.kernel = p.integer("kernel");
  w.stride = p.integer("stride") == 0 ? w.kernel : p.integer("stride");
  w.padding = p.integer("padding");
  return w;
}

Schema window_schema() {
  return {
      param::integer("kernel", 2, 1, {}, "square window size"),
      param::integer("stride", 0, 0, {}, "step between windows; 0 = kernel"),
      param::integer("padding", 0, 0, {},
                     "padding on each side (the average leaves padded positions out of its mean)")};
}

void register_plugins(Registry& registry) {
  registry.add<Layer>(
      "max-pool", "maximum over square windows (oneDNN)", window_schema(), [](const Params& p) {
        return std::make_unique<Pooling>("max-pool", algorithm::pooling_max, window_from(p));
      });
  registry.add<Layer>("avg-pool", "mean over square windows, padding excluded (oneDNN)",
                      window_schema(), [](const Params& p) {
                        return std::make_unique<Pooling>(
                            "avg-pool", algorithm::pooling_avg_exclude_padding, window_from(p));
                      });
  registry.add<Layer>("global-avg-pool", "mean over each whole map: N x C x 1 x 1 (oneDNN)", {},
                      [](const Params&) {
                        Window global;
                        global.global = true;
                        return std::make_unique<Pooling>(
                            "global-avg-pool", algorithm::pooling_avg_exclude_padding, global);
                      });
}

}  // namespace
}  // namespace ferlab::layers

FERLAB_PLUGIN("layer-pooling", "0.1.0", "max, average and global average pooling layers",
              ferlab::layers::register_plugins)
