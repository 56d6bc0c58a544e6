// mini-xception (Arriaga et al., 2017): the classic real-time CPU FER model. A stem of two
// unpadded conv3x3, then modules of two depthwise-separable convolutions and a strided max
// pool, each with a strided 1x1 projection added back; a conv3x3 to the classes and a global
// average pool. Defaults on 1x48x48 and 7 classes: 56,951 parameters.
#include <ferlab/abi.hpp>
#include <memory>

#include "../common/backbone_support.hpp"

namespace ferlab::backbones {
namespace {

class MiniXception final : public Backbone {
 public:
  explicit MiniXception(const Params& p)
      : activation_(p.text("activation")),
        conv_(p),
        stem_(p.integer("stem")),
        widths_(p.ints("widths")) {}

  NetworkDef build(const InputShape&, int num_classes) const override {
    NetworkWriter net;
    net.convolutions(conv_);
    auto conv = [](std::int64_t filters, std::int64_t kernel, std::int64_t padding) {
      Params p = conv_params(filters, kernel, padding);
      p.set("bias", false);  // batchnorm follows
      return p;
    };
    net.stage(1);
    net.add("stem1", "convolution", conv(stem_, 3, 0), {"input"});
    net.add("stem1_bn", "batchnorm");
    net.add("stem1_act", activation_);
    net.add("stem2", "convolution", conv(stem_, 3, 0));
    net.add("stem2_bn", "batchnorm");
    std::string trunk = net.add("stem2_act", activation_);
    std::int64_t channels = stem_;
    for (std::size_t m = 0; m < widths_.size(); ++m) {
      net.stage(static_cast<int>(m) + 2);
      const std::string n = name_of("m", m + 1, "_");
      const std::int64_t f = widths_[m];
      Params projection = conv(f, 1, 0);
      projection.set("stride", std::int64_t{2});
      net.add(n + "proj", "convolution", projection, {trunk});
      const std::string shortcut = net.add(n + "proj_bn", "batchnorm");
      separable(net, n + "sep1", channels, f, trunk);
      net.add(n + "sep1_act", activation_);
      separable(net, n + "sep2", f, f, "");
      Params pool = one_int("kernel", 3);
      pool.set("stride", std::int64_t{2});
      pool.set("padding", std::int64_t{1});
      const std::string pooled = net.add(n + "pool", "max-pool", pool);
      trunk = net.add(n + "add", "add", {}, {pooled, shortcut});
      channels = f;
    }
    net.stage(0);
    net.add("classes", "convolution", conv_params(num_classes, 3, 1));
    net.add("pool", "global-avg-pool");
    net.add("logits", "flatten");
    return net.take();
  }

 private:
  // Depthwise conv3x3 (pad 1) -> pointwise conv1x1 -> batchnorm, no biases.
  static void separable(NetworkWriter& net, const std::string& name, std::int64_t in,
                        std::int64_t out, const std::string& input) {
    Params depthwise = conv_params(in, 3, 1);
    depthwise.set("depthwise", true);
    depthwise.set("bias", false);
    net.add(name + "_dw", "convolution", depthwise,
            input.empty() ? std::vector<std::string>{} : std::vector<std::string>{input});
    Params pointwise = conv_params(out, 1, 0);
    pointwise.set("bias", false);
    net.add(name + "_pw", "convolution", pointwise);
    net.add(name + "_bn", "batchnorm");
  }

  std::string activation_;
  ConvSettings conv_;
  std::int64_t stem_;
  std::vector<std::int64_t> widths_;
};

void register_plugins(Registry& registry) {
  Schema schema{
      param::choice("activation", "relu", activation_choices, "activation after every layer"),
      conv_algorithm_param(),
      conv_precision_param(),
      param::integer("stem", 8, 1, {}, "filters of the two stem convolutions"),
      param::int_list("widths", {16, 32, 64, 128}, 1, {},
                      "filters of each separable module (each halves the map)"),
  };
  registry.add<Backbone>("mini-xception",
                         "depthwise-separable residual modules, ~57k parameters (real-time CPU)",
                         schema, [](const Params& p) { return std::make_unique<MiniXception>(p); });
}

}  // namespace
}  // namespace ferlab::backbones

FERLAB_PLUGIN("backbone-mini-xception", "0.1.0", "mini-xception backbone",
              ferlab::backbones::register_plugins)
