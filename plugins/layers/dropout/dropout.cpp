// Inverted dropout: while training, zeroes each element with probability `rate` and scales
// the rest by 1 / (1 - rate); the identity otherwise. oneDNN 2.6 has no dropout primitive.
#include <ferlab/abi.hpp>
#include <ferlab/layer_support.hpp>
#include <memory>

namespace ferlab::layers {
namespace {

using namespace dnnl;

class Dropout final : public Layer {
 public:
  explicit Dropout(const Params& p) : rate_(static_cast<float>(p.number("rate"))) {}

  memory::desc setup(const std::vector<memory::desc>& inputs, LayerContext&) override {
    require_inputs("dropout", inputs, 1, 1, 5);
    // Element-wise, so any layout works: the mask covers the whole buffer (blocked layouts pad
    // channels with zeros, which stay zero).
    mask_.assign(inputs[0].get_size() / sizeof(float), 1.f);
    return inputs[0];
  }

  void forward(const std::vector<memory>& inputs, const memory& output,
               LayerContext& ctx) override {
    const float* in = data(inputs[0]);
    float* out = data(output);
    const std::size_t n = mask_.size();
    // Without training (also when explaining a prediction) dropout is the identity.
    if (!ctx.training || rate_ == 0.f) {
      std::copy(in, in + n, out);
      std::fill(mask_.begin(), mask_.end(), 1.f);
      return;
    }
    if (!ctx.rng) throw std::logic_error("dropout: training forward without a random generator");
    // Keep an element when 53 random bits, read as a fraction, reach the rate.
    const double keep_scale = 1.0 / (1.0 - rate_);
    for (std::size_t i = 0; i < n; ++i) {
      const double u = static_cast<double>((*ctx.rng)() >> 11) * 0x1.0p-53;
      mask_[i] = u >= rate_ ? static_cast<float>(keep_scale) : 0.f;
      out[i] = in[i] * mask_[i];
    }
  }

  void backward(const std::vector<memory>&, const memory&, const memory& output_grad,
                const std::vector<memory>& input_grads, LayerContext&) override {
    if (!input_grads[0]) return;
    const float* g = data(output_grad);
    float* gi = data(input_grads[0]);
    for (std::size_t i = 0; i < mask_.size(); ++i) gi[i] = g[i] * mask_[i];
  }

  bool backward_reads_output() const override { return false; }

  // Inference-mode dropout is the identity: no node at all.
  std::string export_onnx(const OnnxLayer& onnx) const override { return onnx.input(); }

 private:
  float rate_;
  std::vector<float> mask_;  // 0 or 1 / (1 - rate) per element of the last forward
};

void register_plugins(Registry& registry) {
  registry.add<Layer>("dropout", "zeroes elements at random while training (inverted dropout)",
                      {param::number("rate", 0.5, 0.0, 0.99, "probability of dropping an element")},
                      [](const Params& p) { return std::make_unique<Dropout>(p); });
}

}  // namespace
}  // namespace ferlab::layers

FERLAB_PLUGIN("layer-dropout", "0.1.0", "dropout layer", ferlab::layers::register_plugins)
