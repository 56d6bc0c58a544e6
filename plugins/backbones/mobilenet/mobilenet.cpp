// mobilenet: MobileNetV2's inverted residuals (1x1 expansion -> depthwise 3x3 -> linear 1x1
// projection, added to the input where the shape allows) with a width multiplier. The stem
// has stride 1 (ImageNet's has 2), so 48x48 faces end at 3x3 before the global pool.
// Convolutions have no bias (batchnorm follows). Width 1.0 on 1x48x48 and 7 classes:
// 2,232,263 parameters (MobileNetV2's 3,504,872 with a 1-channel stem and a 7-class head).
#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>
#include <memory>

#include "../common/backbone_support.hpp"

namespace ferlab::backbones {
namespace {

// One row of MobileNetV2's table: expansion t, output channels c, repeats n, first stride s.
struct Stage {
  int t, c, n, s;
};
const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                        {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

// Channels scaled by the width multiplier, rounded to a multiple of 8 (never down by >10%).
std::int64_t scaled(int channels, double width) {
  const double want = channels * width;
  std::int64_t rounded = std::max<std::int64_t>(8, static_cast<std::int64_t>(want + 4) / 8 * 8);
  if (rounded < 0.9 * want) rounded += 8;
  return rounded;
}

class MobileNet final : public Backbone {
 public:
  explicit MobileNet(const Params& p)
      : activation_(p.text("activation")),
        conv_(p),
        width_(p.number("width")),
        head_(p.integer("head")),
        dropout_(p.number("dropout")) {}

  NetworkDef build(const InputShape&, int num_classes) const override {
    NetworkWriter net;
    net.convolutions(conv_);
    std::int64_t channels = scaled(32, width_);
    net.stage(1);
    conv_bn(net, "stem", channels, 3, 1, {"input"}, true);
    std::string trunk = "stem_act";
    int block = 0, stage_number = 1;
    for (const Stage& stage : stages) {
      net.stage(++stage_number);  // one per bottleneck group
      const std::int64_t out = scaled(stage.c, width_);
      for (int i = 0; i < stage.n; ++i) {
        const std::string n = name_of("b", ++block, "_");
        const std::int64_t stride = i == 0 ? stage.s : 1;
        const std::int64_t hidden = channels * stage.t;
        std::vector<std::string> from{trunk};
        if (stage.t != 1) {
          conv_bn(net, n + "expand", hidden, 1, 1, from, true);
          from.clear();
        }
        Params dw = conv_params(hidden, 3, 1);
        dw.set("stride", stride);
        dw.set("depthwise", true);
        dw.set("bias", false);
        net.add(n + "dw", "convolution", dw, from);
        net.add(n + "dw_bn", "batchnorm");
        net.add(n + "dw_act", activation_);
        const std::string projected = conv_bn(net, n + "project", out, 1, 1, {}, false);
        trunk = stride == 1 && channels == out ? net.add(n + "add", "add", {}, {projected, trunk})
                                               : projected;
        channels = out;
      }
    }
    net.stage(0);
    conv_bn(net, "head", width_ > 1 ? scaled(static_cast<int>(head_), width_) : head_, 1, 1,
            {trunk}, true);
    net.add("pool", "global-avg-pool");
    if (dropout_ > 0) net.add("dropout", "dropout", Params({{"rate", dropout_}}));
    net.add("logits", "dense", one_int("units", num_classes));
    return net.take();
  }

 private:
  // conv (no bias) -> batchnorm [-> activation]; returns the last layer's name.
  std::string conv_bn(NetworkWriter& net, const std::string& name, std::int64_t filters,
                      std::int64_t kernel, std::int64_t stride, std::vector<std::string> from,
                      bool activate) const {
    Params p = conv_params(filters, kernel, kernel / 2);
    p.set("stride", stride);
    p.set("bias", false);
    net.add(name, "convolution", p, std::move(from));
    const std::string bn = net.add(name + "_bn", "batchnorm");
    return activate ? net.add(name + "_act", activation_) : bn;
  }

  std::string activation_;
  ConvSettings conv_;
  double width_;
  std::int64_t head_;
  double dropout_;
};

void register_plugins(Registry& registry) {
  Schema schema{
      param::choice("activation", "relu", activation_choices, "activation after every layer"),
      conv_algorithm_param(),
      conv_precision_param(),
      param::number("width", 1.0, 0.1, 4.0, "width multiplier for every layer's channels"),
      param::integer("head", 1280, 8, {}, "channels of the last 1x1 convolution"),
      param::number("dropout", 0.2, 0.0, 0.99, "dropout before the classifier; 0 = none"),
  };
  registry.add<Backbone>("mobilenet", "MobileNetV2 inverted residuals with depthwise convolutions",
                         schema, [](const Params& p) { return std::make_unique<MobileNet>(p); });
}

}  // namespace
}  // namespace ferlab::backbones

FERLAB_PLUGIN("backbone-mobilenet", "0.1.0", "mobilenet backbone", ferlab::backbones::register_plugins)
