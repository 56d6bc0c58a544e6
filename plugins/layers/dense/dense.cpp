// Fully connected layer with oneDNN inner product. Accepts N x C or N x C x H x W input (the
// latter is read as flattened), gives N x units.
#include <ferlab/abi.hpp>
#include <ferlab/layer_support.hpp>
#include <functional>
#include <memory>

namespace ferlab::layers {
namespace {

using namespace dnnl;

class Dense final : public Layer {
 public:
  explicit Dense(const Params& p) : units_(p.integer("units")), bias_(p.flag("bias")) {}

  memory::desc setup(const std::vector<memory::desc>& inputs, LayerContext& ctx) override {
    require_inputs("dense", inputs, 1, 2, 4);
    const dims in = inputs[0].dims();
    dims wdims = in;
    wdims[0] = units_;
    if (!weights_.value) {
      make_parameter(weights_, "weights", wdims, ctx.engine, Parameter::Init::fan, true);
      weights_.fan_in = volume(in) / in[0];
      weights_.fan_out = units_;
      if (bias_)
        make_parameter(bias_p_, "bias", {units_}, ctx.engine, Parameter::Init::zeros, false);
    } else if (weights_.value.get_desc().dims() != wdims) {
      throw std::invalid_argument("dense: input shape changed after the first setup");
    }

    // The input comes in any layout (a blocked 4-D map reads as flattened in plain order, like
    // the plain weights); the weights are staged into the layout the primitive prefers for it.
    const memory::desc src = inputs[0], dst = plain_desc({in[0], units_});
    const memory::desc wd = weights_.value.get_desc();
    const memory::desc bd = bias_ ? bias_p_.value.get_desc() : memory::desc();
    // After flatten (plain N x C) the plain weights suit a gemm: oneDNN's choice of a blocked
    // layout there ran backward-weights 5-50x slower (brgemm, 7 outputs: 5.6 ms vs ~0.1) and
    // costs a weights reorder per step. Blocked 4-D inputs need weights blocked alike.
    const memory::desc weights_choice =
        src == plain_desc(in) && in.size() == 2 ? wd : any_layout(wd);
    auto fwd_pd = inner_product_forward::primitive_desc(
        inner_product_forward::desc(prop_kind::forward_training, src, weights_choice, bd, dst),
        ctx.engine);
    forward_ = inner_product_forward(fwd_pd);
    fused_ = false;
    make_inference_ = [=, engine = ctx.engine](const post_ops& ops) {
      primitive_attr attr;
      attr.set_post_ops(ops);
      return inner_product_forward::primitive_desc(
          inner_product_forward::desc(prop_kind::forward_inference, src, weights_choice, bd, dst),
          attr, engine);
    };
    weights_in_.setup(wd, fwd_pd.weights_desc(), ctx.engine);
    auto data_pd = inner_product_backward_data::primitive_desc(
        inner_product_backward_data::desc(src, weights_choice, dst), ctx.engine, fwd_pd);
    backward_data_ = inner_product_backward_data(data_pd);
    data_weights_.setup(wd, data_pd.weights_desc(), Staged::into_primitive, ctx.engine);
    auto weights_pd = inner_product_backward_weights::primitive_desc(
        inner_product_backward_weights::desc(src, weights_choice, bd, dst), ctx.engine, fwd_pd);
    backward_weights_ = inner_product_backward_weights(weights_pd);
    diff_weights_.setup(wd, weights_pd.diff_weights_desc(), Staged::out_of_primitive, ctx.engine);
    macs_ = weights_.fan_in * units_;
    return dst;
  }

  void forward(const std::vector<memory>& inputs, const memory& output,
               LayerContext& ctx) override {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, inputs[0]},
                                         {DNNL_ARG_WEIGHTS, weights_in_.in(weights_.value, ctx)},
                                         {DNNL_ARG_DST, output}};
    if (bias_) args[DNNL_ARG_BIAS] = bias_p_.value;
    (fused_ && !ctx.gradients ? fused_forward_ : forward_).execute(ctx.stream, args);
  }

  // Only when the fused primitive wants the same weights layout (the staged copy serves both).
  bool accept_post_ops(const post_ops& ops, LayerContext&) override {
    auto pd = make_inference_(ops);
    if (pd.weights_desc() != weights_in_.desc()) return false;
    fused_forward_ = inner_product_forward(pd);
    fused_ = true;
    return true;
  }

  void backward(const std::vector<memory>& inputs, const memory&, const memory& output_grad,
                const std::vector<memory>& input_grads, LayerContext& ctx) override {
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, inputs[0]},
        {DNNL_ARG_DIFF_DST, output_grad},
        {DNNL_ARG_DIFF_WEIGHTS, diff_weights_.target(weights_.grad)}};
    if (bias_) args[DNNL_ARG_DIFF_BIAS] = bias_p_.grad;
    backward_weights_.execute(ctx.stream, args);
    diff_weights_.out(weights_.grad, ctx.stream);
    if (!input_grads[0]) return;
    const memory weights = data_weights_.desc() == weights_in_.desc()
                               ? weights_in_.last(weights_.value)
                               : data_weights_.in(weights_.value, ctx.stream);
    backward_data_.execute(ctx.stream, {{DNNL_ARG_DIFF_DST, output_grad},
                                        {DNNL_ARG_WEIGHTS, weights},
                                        {DNNL_ARG_DIFF_SRC, input_grads[0]}});
  }

  bool backward_reads_output() const override { return false; }

  std::vector<Parameter*> parameters() override {
    if (bias_) return {&weights_, &bias_p_};
    return {&weights_};
  }
  std::int64_t macs() const override { return macs_; }

  // Gemm needs a matrix: a feature map is flattened first, as this layer reads it.
  std::string export_onnx(const OnnxLayer& onnx) const override {
    const dims w = weights_.value.get_desc().dims();
    const std::int64_t fan_in = volume(w) / w[0];
    std::string x = onnx.input();
    if (onnx.input_shape().size() > 1) x = onnx.node("Flatten", {x}, {{"axis", std::int64_t{1}}});
    std::vector<std::string> inputs{x, onnx.constant("weights", weights_.value, {w[0], fan_in})};
    if (bias_) inputs.push_back(onnx.constant("bias", bias_p_.value));
    return onnx.node("Gemm", inputs, {{"transB", std::int64_t{1}}}, onnx.output());
  }

 private:
  std::int64_t units_;
  bool bias_;
  Parameter weights_, bias_p_;
  inner_product_forward forward_, fused_forward_;
  bool fused_ = false;
  std::function<inner_product_forward::primitive_desc(const post_ops&)> make_inference_;
  inner_product_backward_data backward_data_;
  inner_product_backward_weights backward_weights_;
  StagedWeights weights_in_;
  Staged data_weights_, diff_weights_;
  std::int64_t macs_ = 0;
};

void register_plugins(Registry& registry) {
  Schema schema{param::integer("units", 128, 1, {}, "output features"),
                param::flag("bias", true, "add a learned bias per output")};
  registry.add<Layer>("dense", "fully connected layer (oneDNN inner product)", schema,
                      [](const Params& p) { return std::make_unique<Dense>(p); });
}

}  // namespace
}  // namespace ferlab::layers

FERLAB_PLUGIN("layer-dense", "0.1.0", "fully connected layer", ferlab::layers::register_plugins)
