// Flatten: N x C x H x W to N x (C*H*W) in plain (row-major) order. A blocked input is
// reordered to plain first; the gradient is reordered back into the input's layout.
#include <algorithm>
#include <ferlab/layer_support.hpp>
#include <memory>

#include "structure.hpp"

namespace ferlab::layers {
namespace {

class Flatten final : public Layer {
 public:
  dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs,
                           LayerContext& ctx) override {
    require_inputs("flatten", inputs, 1, 2, 5);
    const dims in = inputs[0].dims();
    input_ = inputs[0];
    plain_input_ = plain_desc(in);
    if (input_ != plain_input_) {
      to_plain_ = dnnl::reorder(
          dnnl::reorder::primitive_desc(ctx.engine, input_, ctx.engine, plain_input_));
      from_plain_ = dnnl::reorder(
          dnnl::reorder::primitive_desc(ctx.engine, plain_input_, ctx.engine, input_));
    }
    return plain_desc({in[0], volume(in) / in[0]});
  }

  void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
               LayerContext& ctx) override {
    if (input_ == plain_input_) {
      std::copy_n(data(inputs[0]), elements(output), data(output));
      return;
    }
    dnnl::memory plain(plain_input_, ctx.engine, output.get_data_handle());
    to_plain_.execute(ctx.stream, {{DNNL_ARG_FROM, inputs[0]}, {DNNL_ARG_TO, plain}});
  }

  void backward(const std::vector<dnnl::memory>&, const dnnl::memory&,
                const dnnl::memory& output_grad, const std::vector<dnnl::memory>& input_grads,
                LayerContext& ctx) override {
    if (!input_grads[0]) return;
    if (input_ == plain_input_) {
      std::copy_n(data(output_grad), elements(output_grad), data(input_grads[0]));
      return;
    }
    dnnl::memory plain(plain_input_, ctx.engine, output_grad.get_data_handle());
    from_plain_.execute(ctx.stream, {{DNNL_ARG_FROM, plain}, {DNNL_ARG_TO, input_grads[0]}});
  }

  bool backward_reads_output() const override { return false; }

  std::string export_onnx(const OnnxLayer& onnx) const override {
    return onnx.node("Flatten", {onnx.input()}, {{"axis", std::int64_t{1}}}, onnx.output());
  }

 private:
  dnnl::memory::desc input_, plain_input_;
  dnnl::reorder to_plain_, from_plain_;
};

}  // namespace

std::unique_ptr<Layer> make_flatten() { return std::make_unique<Flatten>(); }

}  // namespace ferlab::layers
