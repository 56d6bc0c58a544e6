// Flatten: the plain layout of N x C x H x W already is N x (C*H*W), so this is a copy.
#include <algorithm>

#include "../layer_support.hpp"
#include "structure.hpp"

namespace ferlab::layers {
namespace {

class Flatten final : public Layer {
 public:
  dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs, LayerContext&) override {
    require_inputs("flatten", inputs, 1, 2, 5);
    const dims in = inputs[0].dims();
    return plain_desc({in[0], volume(in) / in[0]});
  }

  void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
               LayerContext&) override {
    std::copy_n(data(inputs[0]), elements(output), data(output));
  }

  void backward(const std::vector<dnnl::memory>&, const dnnl::memory&,
                const dnnl::memory& output_grad, const std::vector<dnnl::memory>& input_grads,
                LayerContext&) override {
    if (input_grads[0]) std::copy_n(data(output_grad), elements(output_grad), data(input_grads[0]));
  }
};

}  // namespace

std::unique_ptr<Layer> make_flatten() { return std::make_unique<Flatten>(); }

}  // namespace ferlab::layers
