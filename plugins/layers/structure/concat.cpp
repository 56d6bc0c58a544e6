// Concat along channels (axis 1) with oneDNN concat; the gradient is split back by copying
// each input's channel slice. Works in plain layout: blocked inputs are reordered in, and the
// gradients reordered back out (concat is rare in FER backbones, so simplicity wins here).
#include <algorithm>
#include <ferlab/layer_support.hpp>

#include "structure.hpp"

namespace ferlab::layers {
namespace {

class Concat final : public Layer {
 public:
  dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs,
                           LayerContext& ctx) override {
    require_inputs("concat", inputs, 0, 2, 5);
    dims out = inputs[0].dims();
    out[1] = 0;
    std::vector<dnnl::memory::desc> srcs;
    slices_.clear();
    plain_inputs_.assign(inputs.size(), Staged());
    plain_grads_.assign(inputs.size(), Staged());
    for (const auto& d : inputs) {
      dims shape = d.dims();
      dims rest = shape, first_rest = inputs[0].dims();
      rest[1] = first_rest[1] = 0;
      if (rest != first_rest)
        throw std::invalid_argument("concat: inputs differ in a dimension other than channels");
      slices_.push_back(volume(shape) / shape[0]);
      out[1] += shape[1];
      srcs.push_back(plain_desc(shape));
      const std::size_t i = srcs.size() - 1;
      plain_inputs_[i].setup(d, srcs[i], Staged::into_primitive, ctx.engine);
      plain_grads_[i].setup(d, srcs[i], Staged::out_of_primitive, ctx.engine);
    }
    const dnnl::memory::desc dst = plain_desc(out);
    concat_ = dnnl::concat(dnnl::concat::primitive_desc(dst, 1, srcs, ctx.engine));
    return dst;
  }

  void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
               LayerContext& ctx) override {
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DST, output}};
    for (std::size_t i = 0; i < inputs.size(); ++i)
      args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] =
          plain_inputs_[i].in(inputs[i], ctx.stream);
    concat_.execute(ctx.stream, args);
  }

  void backward(const std::vector<dnnl::memory>&, const dnnl::memory& output,
                const dnnl::memory& output_grad, const std::vector<dnnl::memory>& input_grads,
                LayerContext& ctx) override {
    const std::int64_t batch = output.get_desc().dims()[0];
    const std::int64_t row = elements(output) / batch;  // one image of the output
    const float* g = data(output_grad);
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < input_grads.size(); ++i) {
      if (input_grads[i]) {
        float* gi = data(plain_grads_[i].target(input_grads[i]));
        for (std::int64_t n = 0; n < batch; ++n)
          std::copy_n(g + n * row + offset, slices_[i], gi + n * slices_[i]);
        plain_grads_[i].out(input_grads[i], ctx.stream);
      }
      offset += slices_[i];
    }
  }

  bool backward_reads_output() const override { return false; }

  std::string export_onnx(const OnnxLayer& onnx) const override {
    std::vector<std::string> inputs;
    for (const OnnxValue& in : onnx.inputs()) inputs.push_back(in.name);
    return onnx.node("Concat", inputs, {{"axis", std::int64_t{1}}}, onnx.output());
  }

 private:
  dnnl::concat concat_;
  std::vector<std::int64_t> slices_;  // elements per image of each input
  std::vector<Staged> plain_inputs_, plain_grads_;
};

}  // namespace

std::unique_ptr<Layer> make_concat() { return std::make_unique<Concat>(); }

}  // namespace ferlab::layers
