// Batch normalization with oneDNN: batch statistics while training (and running averages of
// them), the running averages for evaluation and inference. Training data-parallel with
// train.sync_batchnorm, the statistics are those of the whole batch (synchronised.hpp).
#include <ferlab/abi.hpp>
#include <ferlab/layer_support.hpp>
#include <memory>

#include "channel_loops.hpp"
#include "synchronised.hpp"

namespace ferlab::layers {
namespace {

using namespace dnnl;

class BatchNorm final : public Layer {
 public:
  explicit BatchNorm(const Params& p)
      : momentum_(static_cast<float>(p.number("momentum"))),
        epsilon_(static_cast<float>(p.number("epsilon"))) {}

  memory::desc setup(const std::vector<memory::desc>& inputs, LayerContext& ctx) override {
    require_inputs("batchnorm", inputs, 1, 2, 4);
    const dims in = inputs[0].dims();
    const std::int64_t c = in[1];
    if (!scale_.value) {
      make_parameter(scale_, "scale", {c}, ctx.engine, Parameter::Init::ones, false);
      make_parameter(shift_, "shift", {c}, ctx.engine, Parameter::Init::zeros, false);
      make_state(running_mean_, "running_mean", c, ctx.engine, Parameter::Init::zeros);
      make_state(running_var_, "running_var", c, ctx.engine, Parameter::Init::ones);
      batch_mean_ = memory(plain_desc({c}), ctx.engine);
      batch_var_ = memory(plain_desc({c}), ctx.engine);
    } else if (scale_.value.get_desc().dims()[0] != c) {
      throw std::invalid_argument("batchnorm: channels changed after the first setup");
    }
    per_channel_ = volume(in) / c;

    const memory::desc data = inputs[0];  // any layout; the output keeps it
    const auto affine = normalization_flags::use_scale | normalization_flags::use_shift;
    const auto global = affine | normalization_flags::use_global_stats;
    auto train_pd = batch_normalization_forward::primitive_desc(
        batch_normalization_forward::desc(prop_kind::forward_training, data, epsilon_, affine),
        ctx.engine);
    train_ = batch_normalization_forward(train_pd);
    infer_ = batch_normalization_forward(batch_normalization_forward::primitive_desc(
        batch_normalization_forward::desc(prop_kind::forward_inference, data, epsilon_, global),
        ctx.engine));
    backward_ = batch_normalization_backward(batch_normalization_backward::primitive_desc(
        batch_normalization_backward::desc(prop_kind::backward, data, data, epsilon_, affine),
        ctx.engine, train_pd));
    // Explaining a prediction differentiates the inference function: running statistics are
    // constants there.
    auto global_pd = batch_normalization_forward::primitive_desc(
        batch_normalization_forward::desc(prop_kind::forward_training, data, epsilon_, global),
        ctx.engine);
    backward_global_ = batch_normalization_backward(batch_normalization_backward::primitive_desc(
        batch_normalization_backward::desc(prop_kind::backward, data, data, epsilon_, global),
        ctx.engine, global_pd));
    loops_ = channel_layout(data);
    scratch_grad_ = memory();  // made on first need: only when the input takes no gradient
    return data;
  }

  void forward(const std::vector<memory>& inputs, const memory& output,
               LayerContext& ctx) override {
    const bool training = ctx.training;
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, inputs[0]},
        {DNNL_ARG_DST, output},
        {DNNL_ARG_SCALE, scale_.value},
        {DNNL_ARG_SHIFT, shift_.value},
        {DNNL_ARG_MEAN, training ? batch_mean_ : running_mean_.value},
        {DNNL_ARG_VARIANCE, training ? batch_var_ : running_var_.value}};
    trained_last_ = training;
    synchronised_ = training && ctx.processes && ctx.processes->synchronise_statistics()
                        ? ctx.processes
                        : nullptr;
    if (synchronised_ && !loops_)
      throw std::invalid_argument(
          "batchnorm: synchronised statistics need an f32 input in a plain or channel-blocked "
          "layout");
    if (training && loops_) {
      ctx.stream.wait();
      statistics_count_ = batchnorm_training_forward(
          *loops_, data(inputs[0]), data(output), data(scale_.value), data(shift_.value), epsilon_,
          data(batch_mean_), data(batch_var_), [this](ChannelMoments& m) {
            if (synchronised_) combine_moments(*synchronised_, m);
          });
    } else {
      (training ? train_ : infer_).execute(ctx.stream, args);
    }
    if (training) {
      ctx.stream.wait();  // the statistics are read on this thread next
      update_running_statistics();
    }
  }

  void backward(const std::vector<memory>& inputs, const memory&, const memory& output_grad,
                const std::vector<memory>& input_grads, LayerContext& ctx) override {
    if (synchronised_ && trained_last_) {
      ctx.stream.wait();
      synchronised_backward(
          *loops_, *synchronised_, statistics_count_, data(inputs[0]), data(output_grad),
          data(batch_mean_), data(batch_var_), data(scale_.value), epsilon_,
          {input_grads[0] ? data(input_grads[0]) : nullptr, data(scale_.grad), data(shift_.grad)});
      return;
    }
    if (!input_grads[0] && !scratch_grad_) scratch_grad_ = memory(inputs[0].get_desc(), ctx.engine);
    (trained_last_ ? backward_ : backward_global_)
        .execute(ctx.stream, {{DNNL_ARG_SRC, inputs[0]},
                              {DNNL_ARG_MEAN, trained_last_ ? batch_mean_ : running_mean_.value},
                              {DNNL_ARG_VARIANCE, trained_last_ ? batch_var_ : running_var_.value},
                              {DNNL_ARG_DIFF_DST, output_grad},
                              {DNNL_ARG_SCALE, scale_.value},
                              {DNNL_ARG_SHIFT, shift_.value},
                              {DNNL_ARG_DIFF_SRC, input_grads[0] ? input_grads[0] : scratch_grad_},
                              {DNNL_ARG_DIFF_SCALE, scale_.grad},
                              {DNNL_ARG_DIFF_SHIFT, shift_.grad}});
  }

  bool backward_reads_output() const override { return false; }

  // Inference behaviour: the running statistics.
  std::string export_onnx(const OnnxLayer& onnx) const override {
    return onnx.node(
        "BatchNormalization",
        {onnx.input(), onnx.constant("scale", scale_.value), onnx.constant("shift", shift_.value),
         onnx.constant("running_mean", running_mean_.value),
         onnx.constant("running_var", running_var_.value)},
        {{"epsilon", epsilon_}}, onnx.output());
  }

  std::vector<Parameter*> parameters() override {
    return {&scale_, &shift_, &running_mean_, &running_var_};
  }

 private:
  static void make_state(Parameter& p, const char* name, std::int64_t c, const engine& eng,
                         Parameter::Init init) {
    p.name = name;
    p.value = memory(plain_desc({c}), eng);
    p.init = init;
    p.weight_decay = false;
    fill(p.value, init == Parameter::Init::ones ? 1.f : 0.f);
  }

  // Exponential averages; the variance gets Bessel's correction, as the running estimate of
  // the population variance (oneDNN's batch variance is the biased one).
  void update_running_statistics() {
    const float* mean = data(batch_mean_);
    const float* var = data(batch_var_);
    float* rmean = data(running_mean_.value);
    float* rvar = data(running_var_.value);
    const auto n = synchronised_ ? static_cast<std::int64_t>(statistics_count_) : per_channel_;
    const float correction = n > 1 ? static_cast<float>(n) / (n - 1) : 1.f;
    for (std::int64_t i = 0, c = elements(batch_mean_); i < c; ++i) {
      rmean[i] = momentum_ * rmean[i] + (1 - momentum_) * mean[i];
      rvar[i] = momentum_ * rvar[i] + (1 - momentum_) * var[i] * correction;
    }
  }

  float momentum_, epsilon_;
  Parameter scale_, shift_, running_mean_, running_var_;
  memory batch_mean_, batch_var_, scratch_grad_;
  batch_normalization_forward train_, infer_;
  batch_normalization_backward backward_, backward_global_;
  bool trained_last_ = true;  // the last forward used batch statistics
  // Training forward passes use plain loops when the layout allows (see channel_loops.hpp).
  std::optional<ChannelLayout> loops_;
  std::int64_t per_channel_ = 1;  // values averaged per channel
  // Set by a training forward pass that used the whole batch's statistics, for its backward.
  ProcessGroup* synchronised_ = nullptr;
  double statistics_count_ = 0;  // values the last training statistics covered
};

void register_plugins(Registry& registry) {
  Schema schema{
      param::number("momentum", 0.9, 0.0, 1.0,
                    "weight of the old running statistics in each update"),
      param::number("epsilon", 1e-5, 0.0, {}, "added to the variance before the square root"),
  };
  registry.add<Layer>("batchnorm", "batch normalization over channels (oneDNN)", schema,
                      [](const Params& p) { return std::make_unique<BatchNorm>(p); });
}

}  // namespace
}  // namespace ferlab::layers

FERLAB_PLUGIN("layer-batchnorm", "0.1.0", "batch normalization layer",
              ferlab::layers::register_plugins)
