// Activation layers as ONNX nodes. Opset 11 has no Gelu or Swish: they are written out of
// Erf, Tanh, Sigmoid, Mul and Add with scalar constants, the formulas oneDNN computes.
#include <cmath>

#include "export_onnx/layer_emitters.hpp"

namespace ferlab::export_onnx {
namespace {

// Builds a decomposed activation: named intermediates and scalar constants of one layer.
class Steps {
 public:
  Steps(const LayerToExport& l, GraphBuilder& g) : l_(l), g_(g) {}

  std::string scalar(const char* name, double value) {
    return g_.constant(g_.fresh(l_.def.name + "/" + name), {}, {static_cast<float>(value)});
  }
  std::string op(const std::string& type, const std::vector<std::string>& inputs,
                 const std::string& out = "") {
    return g_.node(type, inputs, {out.empty() ? g_.fresh(l_.def.name + "/" + type) : out});
  }

 private:
  const LayerToExport& l_;
  GraphBuilder& g_;
};

Emitter unary(const char* op) {
  return [op](const LayerToExport& l, GraphBuilder& g, const std::string& out) {
    return g.node(op, {l.inputs.at(0).value}, {out});
  };
}

// leaky-relu's slope and elu's alpha map to ONNX's alpha attribute.
Emitter with_alpha(const char* op, const char* param) {
  return [op, param](const LayerToExport& l, GraphBuilder& g, const std::string& out) {
    return g.node(op, {l.inputs.at(0).value}, {out},
                  {{"alpha", static_cast<float>(l.params.number(param))}});
  };
}

// erf: x * 0.5 * (1 + erf(x / sqrt 2)); tanh: x * 0.5 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
std::string gelu(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  Steps s(l, g);
  const std::string x = l.inputs.at(0).value;
  std::string inner;
  if (l.params.text("approximation") == "tanh") {
    const std::string cube = s.op("Mul", {s.op("Mul", {x, x}), x});
    const std::string poly = s.op("Add", {x, s.op("Mul", {cube, s.scalar("c", 0.044715)})});
    inner = s.op("Tanh", {s.op("Mul", {poly, s.scalar("sqrt_2_over_pi", std::sqrt(2 / M_PI))})});
  } else {
    inner = s.op("Erf", {s.op("Mul", {x, s.scalar("rsqrt2", M_SQRT1_2)})});
  }
  const std::string gate = s.op("Add", {inner, s.scalar("one", 1.0)});
  return s.op("Mul", {s.op("Mul", {x, gate}), s.scalar("half", 0.5)}, out);
}

// x * sigmoid(beta * x).
std::string swish(const LayerToExport& l, GraphBuilder& g, const std::string& out) {
  Steps s(l, g);
  const std::string x = l.inputs.at(0).value;
  const double beta = l.params.number("beta");
  const std::string scaled = beta == 1.0 ? x : s.op("Mul", {x, s.scalar("beta", beta)});
  return s.op("Mul", {x, s.op("Sigmoid", {scaled})}, out);
}

}  // namespace

void add_activation_emitters(EmitterTable& table) {
  table["relu"] = unary("Relu");
  table["leaky-relu"] = with_alpha("LeakyRelu", "slope");
  table["elu"] = with_alpha("Elu", "alpha");
  table["gelu"] = gelu;
  table["swish"] = swish;
  table["tanh"] = unary("Tanh");
  table["sigmoid"] = unary("Sigmoid");
}

}  // namespace ferlab::export_onnx
