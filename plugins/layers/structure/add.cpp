// Add: element-wise sum of two or more inputs of the same shape (oneDNN sum); the gradient
// reaches every input unchanged. Inputs may come in different layouts; the output takes the
// first input's.
#include <algorithm>
#include <ferlab/layer_support.hpp>

#include "structure.hpp"

namespace ferlab::layers {
namespace {

class Add final : public Layer {
 public:
  dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs,
                           LayerContext& ctx) override {
    if (inputs.size() < 2) throw std::invalid_argument("add takes two or more inputs");
    require_inputs("add", inputs, 0, 1, 5);
    const dims shape = inputs[0].dims();
    for (const auto& d : inputs)
      if (d.dims() != shape) throw std::invalid_argument("add: inputs differ in shape");
    const std::vector<dnnl::memory::desc> srcs = inputs;
    const dnnl::memory::desc dst = inputs[0];
    sum_ = dnnl::sum(
        dnnl::sum::primitive_desc(dst, std::vector<float>(inputs.size(), 1.f), srcs, ctx.engine));
    return dst;
  }

  void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
               LayerContext& ctx) override {
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DST, output}};
    for (std::size_t i = 0; i < inputs.size(); ++i)
      args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = inputs[i];
    sum_.execute(ctx.stream, args);
  }

  void backward(const std::vector<dnnl::memory>&, const dnnl::memory&,
                const dnnl::memory& output_grad, const std::vector<dnnl::memory>& input_grads,
                LayerContext& ctx) override {
    for (const auto& g : input_grads)
      if (g) copy_between_layouts(output_grad, g, ctx.stream);
  }

  bool backward_reads_output() const override { return false; }

  // ONNX Add takes two inputs: a sum of more is a chain.
  std::string export_onnx(const OnnxLayer& onnx) const override {
    std::string sum = onnx.input(0);
    for (std::size_t i = 1; i < onnx.inputs().size(); ++i) {
      const bool last = i + 1 == onnx.inputs().size();
      sum = onnx.node("Add", {sum, onnx.input(i)}, {}, last ? onnx.output() : "");
    }
    return sum;
  }

 private:
  dnnl::sum sum_;
};

}  // namespace

std::unique_ptr<Layer> make_add() { return std::make_unique<Add>(); }

}  // namespace ferlab::layers
