// 2-D convolution (grouped and depthwise included) with oneDNN convolution primitives, direct
// or Winograd (`algorithm`), computing in f32 or bf16 (`precision`).
//
// The primitives choose their own layouts (format_tag::any, blocked on AVX-512 machines, where
// oneDNN's direct kernels are several times faster than on plain NCHW); the output keeps the
// forward primitive's layout, and Staged reorders only where a primitive wants another one
// (the network input, a backward primitive preferring a different layout).
#include <ferlab/abi.hpp>
#include <ferlab/layer_support.hpp>
#include <functional>
#include <memory>
#include <string>

namespace ferlab::layers {
namespace {

using namespace dnnl;

class Convolution final : public Layer {
 public:
  explicit Convolution(const Params& p)
      : algorithm_(p.text("algorithm")),
        bf16_(p.text("precision") == "bf16"),
        filters_(p.integer("filters")),
        kernel_(p.integer("kernel")),
        stride_(p.integer("stride")),
        padding_(p.integer("padding")),
        dilation_(p.integer("dilation")),
        groups_(p.integer("groups")),
        depthwise_(p.flag("depthwise")),
        bias_(p.flag("bias")) {
    if (depthwise_ && groups_ != 1)
      throw std::invalid_argument("convolution: set either depthwise or groups, not both");
  }

  memory::desc setup(const std::vector<memory::desc>& inputs, LayerContext& ctx) override {
    require_inputs("convolution", inputs, 1, 4, 4);
    const dims in = inputs[0].dims();
    const std::int64_t n = in[0], c = in[1], h = in[2], w = in[3];
    const std::int64_t groups = depthwise_ ? c : groups_;
    if (c % groups != 0 || filters_ % groups != 0)
      throw std::invalid_argument("convolution: channels (" + std::to_string(c) +
                                  ") and filters (" + std::to_string(filters_) +
                                  ") must be multiples of groups (" + std::to_string(groups) + ")");
    const std::int64_t span = dilation_ * (kernel_ - 1) + 1;
    const std::int64_t oh = (h + 2 * padding_ - span) / stride_ + 1;
    const std::int64_t ow = (w + 2 * padding_ - span) / stride_ + 1;
    if (oh < 1 || ow < 1)
      throw std::invalid_argument("convolution: kernel larger than the padded input " +
                                  std::to_string(h) + "x" + std::to_string(w));

    const dims wdims = groups == 1 ? dims{filters_, c, kernel_, kernel_}
                                   : dims{groups, filters_ / groups, c / groups, kernel_, kernel_};
    if (!weights_.value) {
      make_parameter(weights_, "weights", wdims, ctx.engine, Parameter::Init::fan, true);
      weights_.fan_in = c / groups * kernel_ * kernel_;
      weights_.fan_out = filters_ / groups * kernel_ * kernel_;
      if (bias_)
        make_parameter(bias_p_, "bias", {filters_}, ctx.engine, Parameter::Init::zeros, false);
    } else if (weights_.value.get_desc().dims() != wdims) {
      throw std::invalid_argument("convolution: input channels changed after the first setup");
    }

    // The input arrives in its producer's layout; the output leaves in the layout the forward
    // primitive prefers, so consecutive primitives agree and reorders stay at the edges.
    const memory::desc src = inputs[0], dst(dims{n, filters_, oh, ow}, dt::f32, tag::any);
    const memory::desc wd = weights_.value.get_desc();
    const memory::desc bd = bias_ ? bias_p_.value.get_desc() : memory::desc();
    const dims strides{stride_, stride_}, dil{dilation_ - 1, dilation_ - 1},
        pad{padding_, padding_};

    // Winograd (F(4x4, 3x3), oneDNN's AVX-512 kernels) needs a quarter of the direct method's
    // multiplications, plus transforms: vgg trains 1.8x and infers at batch 256 2x faster. It
    // loses on thin inputs (vgg's 1-channel first layer: 6x slower) and at batch 1 (vgg 4.9 ->
    // 7.1 ms), so `auto` takes it from 16 input channels and 16 images, where the CPU has it.
    // Its transformed tiles cost memory (vgg training at 64: ~130 MB), so direct is the default.
    // oneDNN's Winograd kernels are f32 only; bf16 takes the direct ones.
    const bool winograd_fits =
        kernel_ == 3 && stride_ == 1 && dilation_ == 1 && groups == 1 && !bf16_;
    if (algorithm_ == "winograd" && !winograd_fits)
      throw std::invalid_argument(
          "convolution: algorithm winograd needs kernel 3, stride 1, dilation 1, one group and "
          "precision f32");
    const Geometry g{src, dst, wd, bd, strides, dil, pad, bf16_ ? dt::bf16 : dt::f32};
    if (algorithm_ == "winograd" || (algorithm_ == "auto" && winograd_fits && c >= 16 && n >= 16)) {
      try {
        create_primitives(algorithm::convolution_winograd, g, ctx);
      } catch (const dnnl::error&) {
        if (algorithm_ == "winograd")
          throw std::invalid_argument(
              "convolution: oneDNN has no Winograd kernel for this CPU (it needs AVX-512)");
        create_primitives(algorithm::convolution_direct, g, ctx);
      }
    } else {
      create_primitives(algorithm::convolution_direct, g, ctx);
    }

    macs_ = filters_ * oh * ow * (c / groups) * kernel_ * kernel_;
    return out_;
  }

  void forward(const std::vector<memory>& inputs, const memory& output,
               LayerContext& ctx) override {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src_.in(inputs[0], ctx.stream)},
                                         {DNNL_ARG_WEIGHTS, weights_in_.in(weights_.value, ctx)},
                                         {DNNL_ARG_DST, output}};
    if (bias_) args[DNNL_ARG_BIAS] = bias_p_.value;
    (fused_ && !ctx.gradients ? fused_forward_ : forward_).execute(ctx.stream, args);
  }

  // Only when the fused primitive wants the same layouts as the training one, so the staged
  // input and weights serve both.
  bool accept_post_ops(const post_ops& ops, LayerContext&) override {
    convolution_forward::primitive_desc pd;
    try {
      pd = make_inference_(ops);
    } catch (const dnnl::error&) {
      return false;  // no kernel of this algorithm takes these post-ops
    }
    if (pd.src_desc() != src_.desc() || pd.weights_desc() != weights_in_.desc() ||
        pd.dst_desc() != out_)
      return false;
    fused_forward_ = convolution_forward(pd);
    fused_ = true;
    return true;
  }

  void backward(const std::vector<memory>& inputs, const memory&, const memory& output_grad,
                const std::vector<memory>& input_grads, LayerContext& ctx) override {
    // The forward pass left the input (and weights) reordered; reuse them where layouts agree.
    const memory src = weights_src_.desc() == src_.desc() ? src_.last(inputs[0])
                                                          : weights_src_.in(inputs[0], ctx.stream);
    const memory diff_dst = weights_diff_dst_.in(output_grad, ctx.stream);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, src},
        {DNNL_ARG_DIFF_DST, diff_dst},
        {DNNL_ARG_DIFF_WEIGHTS, diff_weights_.target(weights_.grad)}};
    if (bias_) args[DNNL_ARG_DIFF_BIAS] = bias_p_.grad;
    backward_weights_.execute(ctx.stream, args);
    diff_weights_.out(weights_.grad, ctx.stream);
    if (!input_grads[0]) return;
    const memory data_diff_dst = data_diff_dst_.desc() == weights_diff_dst_.desc()
                                     ? diff_dst
                                     : data_diff_dst_.in(output_grad, ctx.stream);
    const memory weights = data_weights_.desc() == weights_in_.desc()
                               ? weights_in_.last(weights_.value)
                               : data_weights_.in(weights_.value, ctx.stream);
    backward_data_.execute(ctx.stream, {{DNNL_ARG_DIFF_DST, data_diff_dst},
                                        {DNNL_ARG_WEIGHTS, weights},
                                        {DNNL_ARG_DIFF_SRC, diff_src_.target(input_grads[0])}});
    diff_src_.out(input_grads[0], ctx.stream);
  }

  bool backward_reads_output() const override { return false; }

  std::vector<Parameter*> parameters() override {
    if (bias_) return {&weights_, &bias_p_};
    return {&weights_};
  }
  std::int64_t macs() const override { return macs_; }

  // Grouped weights are stored groups x filters/groups x channels/groups x k x k: the same
  // bytes as ONNX's filters x channels/groups x k x k.
  std::string export_onnx(const OnnxLayer& onnx) const override {
    dims w = weights_.value.get_desc().dims();
    if (w.size() == 5) w = {w[0] * w[1], w[2], w[3], w[4]};
    const std::int64_t groups = depthwise_ ? onnx.input_shape().at(0) : groups_;
    std::vector<std::string> inputs{onnx.input(), onnx.constant("weights", weights_.value, w)};
    if (bias_) inputs.push_back(onnx.constant("bias", bias_p_.value));
    using Ints = std::vector<std::int64_t>;
    return onnx.node("Conv", inputs,
                     {{"kernel_shape", Ints{kernel_, kernel_}},
                      {"strides", Ints{stride_, stride_}},
                      {"pads", Ints{padding_, padding_, padding_, padding_}},
                      {"dilations", Ints{dilation_, dilation_}},
                      {"group", groups}},
                     onnx.output());
  }

 private:
  // What the primitives are created for, in the layouts given (weights and input plain or as
  // the producer left them; output any).
  struct Geometry {
    memory::desc src, dst, wd, bd;
    dims strides, dil, pad;
    dt compute;  // of the input, weights and output gradient inside the primitives
  };

  // In bf16 the primitives read bf16 copies of the input, weights and output gradient (the
  // Staged reorders convert) and write f32: outputs, input gradients and weight gradients stay
  // f32, so the rest of the network and the optimizer see no difference but the rounding.
  void create_primitives(algorithm algo, const Geometry& g, LayerContext& ctx) {
    const memory::desc &src = g.src, &dst = g.dst, &wd = g.wd, &bd = g.bd;
    const dims &strides = g.strides, &dil = g.dil, &pad = g.pad;
    const memory::desc src_in = any_layout(src, g.compute), wd_in = any_layout(wd, g.compute);
    // oneDNN checks (in + left + right - span) / stride + 1 == out, which left == right
    // satisfies also when the stride skips the last columns.
    convolution_forward::primitive_desc fwd_pd;
    try {
      fwd_pd = convolution_forward::primitive_desc(
          convolution_forward::desc(prop_kind::forward_training, algo, src_in, wd_in, bd, dst,
                                    strides, dil, pad, pad),
          ctx.engine);
    } catch (const dnnl::error& e) {
      // Without AVX-512 oneDNN has no bf16 convolution at all (not even a reference one).
      if (g.compute != dt::bf16) throw;
      throw std::invalid_argument(std::string("convolution: precision bf16 needs a CPU with "
                                              "AVX-512 (oneDNN has no bf16 kernel here: ") +
                                  e.what() + ")");
    }
    // oneDNN falls back to its reference kernels where the CPU lacks AVX-512: correct, but
    // far slower than f32, which is not what anyone asks bf16 for.
    const std::string kernel = fwd_pd.impl_info_str();
    if (g.compute == dt::bf16 && kernel.find("ref") != std::string::npos)
      throw std::invalid_argument(
          "convolution: precision bf16 needs a CPU with AVX-512 (oneDNN has only its reference "
          "kernel here: " +
          kernel + ")");
    forward_ = convolution_forward(fwd_pd);
    fused_ = false;
    const memory::desc out = fwd_pd.dst_desc();
    out_ = out;
    // What accept_post_ops() needs to build the same convolution for inference.
    make_inference_ = [=, engine = ctx.engine](const post_ops& ops) {
      primitive_attr attr;
      attr.set_post_ops(ops);
      return convolution_forward::primitive_desc(
          convolution_forward::desc(prop_kind::forward_inference, algo, src_in, wd_in, bd, out,
                                    strides, dil, pad, pad),
          attr, engine);
    };
    src_.setup(src, fwd_pd.src_desc(), Staged::into_primitive, ctx.engine);
    weights_in_.setup(wd, fwd_pd.weights_desc(), ctx.engine);

    auto data_pd = convolution_backward_data::primitive_desc(
        convolution_backward_data::desc(algo, any_layout(src), wd_in, any_layout(out, g.compute),
                                        strides, dil, pad, pad),
        ctx.engine, fwd_pd);
    backward_data_ = convolution_backward_data(data_pd);
    data_diff_dst_.setup(out, data_pd.diff_dst_desc(), Staged::into_primitive, ctx.engine);
    data_weights_.setup(wd, data_pd.weights_desc(), Staged::into_primitive, ctx.engine);
    diff_src_.setup(src, data_pd.diff_src_desc(), Staged::out_of_primitive, ctx.engine);

    auto weights_pd = convolution_backward_weights::primitive_desc(
        convolution_backward_weights::desc(algo, src_in, any_layout(wd), bd,
                                           any_layout(out, g.compute), strides, dil, pad, pad),
        ctx.engine, fwd_pd);
    backward_weights_ = convolution_backward_weights(weights_pd);
    weights_src_.setup(src, weights_pd.src_desc(), Staged::into_primitive, ctx.engine);
    weights_diff_dst_.setup(out, weights_pd.diff_dst_desc(), Staged::into_primitive, ctx.engine);
    diff_weights_.setup(wd, weights_pd.diff_weights_desc(), Staged::out_of_primitive, ctx.engine);
  }

  std::string algorithm_;
  bool bf16_;
  std::int64_t filters_, kernel_, stride_, padding_, dilation_, groups_;
  bool depthwise_, bias_;
  Parameter weights_, bias_p_;
  convolution_forward forward_, fused_forward_;
  bool fused_ = false;
  memory::desc out_;
  std::function<convolution_forward::primitive_desc(const post_ops&)> make_inference_;
  convolution_backward_data backward_data_;
  convolution_backward_weights backward_weights_;
  // Layout adapters, named after the primitive argument they feed or take.
  Staged src_;  // forward
  StagedWeights weights_in_;
  Staged data_diff_dst_, data_weights_, diff_src_;        // backward data
  Staged weights_src_, weights_diff_dst_, diff_weights_;  // backward weights
  std::int64_t macs_ = 0;
};

void register_plugins(Registry& registry) {
  Schema schema{
      param::integer("filters", 32, 1, {}, "output channels"),
      param::integer("kernel", 3, 1, {}, "square kernel size"),
      param::integer("stride", 1, 1, {}, "step between windows"),
      param::integer("padding", 0, 0, {}, "zeros added on each side"),
      param::integer("dilation", 1, 1, {}, "spacing between kernel taps (1 = dense)"),
      param::integer("groups", 1, 1, {}, "channel groups; filters and channels divide by it"),
      param::flag("depthwise", false, "one group per input channel (groups = channels)"),
      param::flag("bias", true, "add a learned bias per output channel"),
      param::choice("algorithm", "direct", {"direct", "auto", "winograd"},
                    "auto: Winograd for 3x3 stride-1 convolutions of 16+ channels in batches of "
                    "16+ where the CPU has it (AVX-512; faster, more memory), else direct"),
      param::choice("precision", "f32", {"f32", "bf16"},
                    "bf16: multiply bf16-rounded inputs, weights and gradients (AVX-512; "
                    "several times faster on CPUs with AMX or AVX512-BF16), accumulate in f32"),
  };
  registry.add<Layer>("convolution", "2-D convolution, grouped or depthwise (oneDNN)", schema,
                      [](const Params& p) { return std::make_unique<Convolution>(p); });
}

}  // namespace
}  // namespace ferlab::layers

FERLAB_PLUGIN("layer-convolution", "0.1.0", "2-D convolution layer",
              ferlab::layers::register_plugins)
