// resnet: a conv3x3 stem (no max pool: faces are only 48 pixels), four stages of basic blocks
// (conv3x3 -> batchnorm -> act -> conv3x3 -> batchnorm, plus the input or a strided 1x1
// projection, -> act), global average pool, dense to the classes. Convolutions have no bias:
// batchnorm follows each. Depth 18 on 1x48x48 and 7 classes: 11,171,271 parameters.
#include <ferlab/abi.hpp>
#include <memory>

#include "../common/backbone_support.hpp"

namespace ferlab::backbones {
namespace {

class ResNet final : public Backbone {
 public:
  explicit ResNet(const Params& p)
      : activation_(p.text("activation")),
        conv_(p),
        depth_(std::stoi(p.text("depth"))),
        width_(p.integer("width")) {}

  NetworkDef build(const InputShape&, int num_classes) const override {
    const std::vector<int> blocks = depth_ == 10   ? std::vector<int>{1, 1, 1, 1}
                                    : depth_ == 18 ? std::vector<int>{2, 2, 2, 2}
                                                   : std::vector<int>{3, 4, 6, 3};
    NetworkWriter net;
    net.convolutions(conv_);
    net.stage(1);
    net.add("stem", "convolution", conv(width_, 3, 1, 1), {"input"});
    net.add("stem_bn", "batchnorm");
    std::string trunk = net.add("stem_act", activation_);
    std::int64_t channels = width_;
    for (std::size_t s = 0; s < blocks.size(); ++s) {
      net.stage(static_cast<int>(s) + 2);
      const std::int64_t filters = width_ << s;
      for (int b = 0; b < blocks[s]; ++b) {
        const std::string n = name_of("s", s + 1, "b", b + 1, "_");
        const std::int64_t stride = (b == 0 && s > 0) ? 2 : 1;
        std::string shortcut = trunk;
        if (stride != 1 || channels != filters) {
          net.add(n + "proj", "convolution", conv(filters, 1, 0, stride), {trunk});
          shortcut = net.add(n + "proj_bn", "batchnorm");
        }
        net.add(n + "conv1", "convolution", conv(filters, 3, 1, stride), {trunk});
        net.add(n + "bn1", "batchnorm");
        net.add(n + "act1", activation_);
        net.add(n + "conv2", "convolution", conv(filters, 3, 1, 1));
        const std::string residual = net.add(n + "bn2", "batchnorm");
        net.add(n + "add", "add", {}, {residual, shortcut});
        trunk = net.add(n + "act2", activation_);
        channels = filters;
      }
    }
    net.stage(0);
    net.add("pool", "global-avg-pool");
    net.add("logits", "dense", one_int("units", num_classes));
    return net.take();
  }

 private:
  static Params conv(std::int64_t filters, std::int64_t kernel, std::int64_t padding,
                     std::int64_t stride) {
    Params p = conv_params(filters, kernel, padding);
    p.set("stride", stride);
    p.set("bias", false);
    return p;
  }

  std::string activation_;
  ConvSettings conv_;
  int depth_;
  std::int64_t width_;
};

void register_plugins(Registry& registry) {
  Schema schema{
      param::choice("activation", "relu", activation_choices, "activation after every layer"),
      conv_algorithm_param(),
      conv_precision_param(),
      param::choice("depth", "18", {"10", "18", "34"},
                    "basic blocks per stage: 10 = 1,1,1,1; 18 = 2,2,2,2; 34 = 3,4,6,3"),
      param::integer("width", 64, 1, {}, "filters of the first stage; doubled by each stage"),
  };
  registry.add<Backbone>("resnet", "residual network of basic blocks (depth 10, 18 or 34)", schema,
                         [](const Params& p) { return std::make_unique<ResNet>(p); });
}

}  // namespace
}  // namespace ferlab::backbones

FERLAB_PLUGIN("backbone-resnet", "0.1.0", "resnet backbone", ferlab::backbones::register_plugins)
