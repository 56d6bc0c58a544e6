// Element-wise activations (relu, leaky-relu, elu, gelu, swish, tanh, sigmoid) with oneDNN
// eltwise primitives. One library so that switching activation is a one-word change.
#include <cmath>
#include <ferlab/abi.hpp>
#include <ferlab/layer_support.hpp>
#include <memory>

namespace ferlab::layers {
namespace {

using namespace dnnl;

class Activation final : public Layer {
 public:
  Activation(algorithm alg, float alpha, float beta) : alg_(alg), alpha_(alpha), beta_(beta) {}

  memory::desc setup(const std::vector<memory::desc>& inputs, LayerContext& ctx) override {
    require_inputs("activation", inputs, 1, 1, 5);
    const memory::desc data = inputs[0];  // any layout; the output keeps it
    auto fwd_pd = eltwise_forward::primitive_desc(
        eltwise_forward::desc(prop_kind::forward_training, alg_, data, alpha_, beta_), ctx.engine);
    forward_ = eltwise_forward(fwd_pd);
    backward_ = eltwise_backward(eltwise_backward::primitive_desc(
        eltwise_backward::desc(alg_, data, data, alpha_, beta_), ctx.engine, fwd_pd));
    return data;
  }

  void forward(const std::vector<memory>& inputs, const memory& output,
               LayerContext& ctx) override {
    forward_.execute(ctx.stream, {{DNNL_ARG_SRC, inputs[0]}, {DNNL_ARG_DST, output}});
  }

  void backward(const std::vector<memory>& inputs, const memory& output, const memory& output_grad,
                const std::vector<memory>& input_grads, LayerContext& ctx) override {
    if (!input_grads[0]) return;
    backward_.execute(ctx.stream, {{uses_output() ? DNNL_ARG_DST : DNNL_ARG_SRC,
                                    uses_output() ? output : inputs[0]},
                                   {DNNL_ARG_DIFF_DST, output_grad},
                                   {DNNL_ARG_DIFF_SRC, input_grads[0]}});
  }

  // Functions differentiated through their output need not keep their input: they can
  // overwrite it.
  bool backward_reads_output() const override { return uses_output(); }
  bool computes_in_place() const override { return uses_output(); }

  bool append_as_post_op(post_ops& ops) const override {
    ops.append_eltwise(1.f, forward_algorithm(), alpha_, beta_);
    return true;
  }

  // Opset 11 has no Gelu or Swish: they are written out of Erf, Tanh, Sigmoid, Mul and Add with
  // scalar constants, the formulas oneDNN computes.
  std::string export_onnx(const OnnxLayer& onnx) const override {
    const std::string& x = onnx.input();
    switch (forward_algorithm()) {
      case algorithm::eltwise_relu:
        if (alpha_ == 0.f) return onnx.node("Relu", {x}, {}, onnx.output());
        return onnx.node("LeakyRelu", {x}, {{"alpha", alpha_}}, onnx.output());
      case algorithm::eltwise_elu:
        return onnx.node("Elu", {x}, {{"alpha", alpha_}}, onnx.output());
      case algorithm::eltwise_tanh:
        return onnx.node("Tanh", {x}, {}, onnx.output());
      case algorithm::eltwise_logistic:
        return onnx.node("Sigmoid", {x}, {}, onnx.output());
      case algorithm::eltwise_gelu_erf:
      case algorithm::eltwise_gelu_tanh:
        return gelu_nodes(onnx);
      case algorithm::eltwise_swish: {  // x * sigmoid(beta * x), beta held as alpha_
        const std::string scaled =
            alpha_ == 1.f ? x : onnx.node("Mul", {x, onnx.scalar("beta", alpha_)});
        return onnx.node("Mul", {x, onnx.node("Sigmoid", {scaled})}, {}, onnx.output());
      }
      default:
        return {};
    }
  }

 private:
  algorithm alg_;
  float alpha_, beta_;
  eltwise_forward forward_;
  eltwise_backward backward_;

  // The same function without the backward variant's choice (what post-ops accept).
  algorithm forward_algorithm() const {
    switch (alg_) {
      case algorithm::eltwise_relu_use_dst_for_bwd:
        return algorithm::eltwise_relu;
      case algorithm::eltwise_elu_use_dst_for_bwd:
        return algorithm::eltwise_elu;
      case algorithm::eltwise_tanh_use_dst_for_bwd:
        return algorithm::eltwise_tanh;
      case algorithm::eltwise_logistic_use_dst_for_bwd:
        return algorithm::eltwise_logistic;
      default:
        return alg_;
    }
  }

  // erf: x * 0.5 * (1 + erf(x / sqrt 2)); tanh: x * 0.5 * (1 + tanh(sqrt(2/pi) (x + 0.044715
  // x^3))).
  std::string gelu_nodes(const OnnxLayer& onnx) const {
    const std::string& x = onnx.input();
    std::string inner;
    if (alg_ == algorithm::eltwise_gelu_tanh) {
      const std::string cube = onnx.node("Mul", {onnx.node("Mul", {x, x}), x});
      const std::string poly =
          onnx.node("Add", {x, onnx.node("Mul", {cube, onnx.scalar("c", 0.044715)})});
      inner = onnx.node(
          "Tanh", {onnx.node("Mul", {poly, onnx.scalar("sqrt_2_over_pi", std::sqrt(2 / M_PI))})});
    } else {
      inner = onnx.node("Erf", {onnx.node("Mul", {x, onnx.scalar("rsqrt2", M_SQRT1_2)})});
    }
    const std::string gate = onnx.node("Add", {inner, onnx.scalar("one", 1.0)});
    return onnx.node("Mul", {onnx.node("Mul", {x, gate}), onnx.scalar("half", 0.5)}, {},
                     onnx.output());
  }

  bool uses_output() const {
    switch (alg_) {
      case algorithm::eltwise_relu_use_dst_for_bwd:
      case algorithm::eltwise_elu_use_dst_for_bwd:
      case algorithm::eltwise_tanh_use_dst_for_bwd:
      case algorithm::eltwise_logistic_use_dst_for_bwd:
        return true;
      default:
        return false;
    }
  }
};

template <class Make>
void add(Registry& registry, const char* name, const char* doc, Schema schema, Make make) {
  registry.add<Layer>(name, doc, std::move(schema), [make](const Params& p) {
    auto [alg, alpha] = make(p);
    return std::make_unique<Activation>(alg, alpha, 0.f);
  });
}

using Choice = std::pair<algorithm, float>;

void register_plugins(Registry& registry) {
  add(registry, "relu", "max(x, 0)", {}, [](const Params&) {
    return Choice{algorithm::eltwise_relu_use_dst_for_bwd, 0.f};
  });
  add(registry, "leaky-relu", "x if x > 0 else slope * x",
      {param::number("slope", 0.01, 0.0, 1.0, "gradient for negative inputs")},
      [](const Params& p) {
        return Choice{algorithm::eltwise_relu_use_dst_for_bwd,
                      static_cast<float>(p.number("slope"))};
      });
  add(registry, "elu", "x if x > 0 else alpha * (exp(x) - 1)",
      {param::number("alpha", 1.0, 0.0, {}, "saturation value for negative inputs")},
      [](const Params& p) {
        return Choice{algorithm::eltwise_elu_use_dst_for_bwd,
                      static_cast<float>(p.number("alpha"))};
      });
  add(registry, "gelu", "x * Phi(x), Gaussian error linear unit",
      {param::choice("approximation", "erf", {"erf", "tanh"},
                     "exact (erf) or the tanh approximation")},
      [](const Params& p) {
        return Choice{p.text("approximation") == "tanh" ? algorithm::eltwise_gelu_tanh
                                                        : algorithm::eltwise_gelu_erf,
                      0.f};
      });
  add(registry, "swish", "x * sigmoid(beta * x) (SiLU for beta 1)",
      {param::number("beta", 1.0, 0.0, {}, "sharpness of the gate")}, [](const Params& p) {
        return Choice{algorithm::eltwise_swish, static_cast<float>(p.number("beta"))};
      });
  add(registry, "tanh", "hyperbolic tangent", {}, [](const Params&) {
    return Choice{algorithm::eltwise_tanh_use_dst_for_bwd, 0.f};
  });
  add(registry, "sigmoid", "logistic 1 / (1 + exp(-x))", {}, [](const Params&) {
    return Choice{algorithm::eltwise_logistic_use_dst_for_bwd, 0.f};
  });
}

}  // namespace
}  // namespace ferlab::layers

FERLAB_PLUGIN("layer-activations", "0.1.0",
              "relu, leaky-relu, elu, gelu, swish, tanh and sigmoid activation layers",
              ferlab::layers::register_plugins)
