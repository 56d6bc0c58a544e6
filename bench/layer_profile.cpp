#include "layer_profile.hpp"

#include "stats.hpp"

namespace ferlab::bench {

namespace {

// Forwards everything to the real layer; waits on the stream so the time is the layer's own
// (oneDNN's CPU stream is synchronous with OpenMP, so this costs nothing otherwise).
class TimedLayer final : public Layer {
 public:
  TimedLayer(std::shared_ptr<Layer> inner, std::shared_ptr<LayerTimes> times)
      : inner_(std::move(inner)), times_(std::move(times)) {}

  dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs,
                           LayerContext& context) override {
    return inner_->setup(inputs, context);
  }
  void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
               LayerContext& context) override {
    const double t = now_seconds();
    inner_->forward(inputs, output, context);
    context.stream.wait();
    times_->forward_seconds += now_seconds() - t;
    ++times_->forward_calls;
  }
  void backward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
                const dnnl::memory& output_grad, const std::vector<dnnl::memory>& input_grads,
                LayerContext& context) override {
    const double t = now_seconds();
    inner_->backward(inputs, output, output_grad, input_grads, context);
    context.stream.wait();
    times_->backward_seconds += now_seconds() - t;
    ++times_->backward_calls;
  }
  std::vector<Parameter*> parameters() override { return inner_->parameters(); }
  std::int64_t macs() const override { return inner_->macs(); }

 private:
  std::shared_ptr<Layer> inner_;
  std::shared_ptr<LayerTimes> times_;
};

}  // namespace

engine::LayerFactory LayerProfile::wrap(engine::LayerFactory inner) {
  return [this, inner = std::move(inner)](const LayerDef& def) -> std::shared_ptr<Layer> {
    auto times = std::make_shared<LayerTimes>();
    times->name = def.name;
    times->type = def.type;
    layers_.push_back(times);
    return std::make_shared<TimedLayer>(inner(def), times);
  };
}

void LayerProfile::reset() {
  for (auto& l : layers_) {
    const std::string name = l->name, type = l->type;
    *l = LayerTimes{name, type};
  }
}

}  // namespace ferlab::bench
