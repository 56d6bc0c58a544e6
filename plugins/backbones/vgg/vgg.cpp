// vgg: stages of `convs` x (conv3x3 pad 1 -> [batchnorm] -> activation) and a maxpool 2, then
// dense layers with dropout. Defaults on 1x48x48 and 7 classes: 10,464,455 parameters.
#include <ferlab/abi.hpp>
#include <memory>

#include "../common/backbone_support.hpp"

namespace ferlab::backbones {
namespace {

class Vgg final : public Backbone {
 public:
  explicit Vgg(const Params& p)
      : activation_(p.text("activation")),
        conv_(p),
        widths_(p.ints("widths")),
        convs_(p.integer("convs")),
        batchnorm_(p.flag("batchnorm")),
        dense_(p.ints("dense")),
        dropout_(p.number("dropout")) {}

  NetworkDef build(const InputShape&, int num_classes) const override {
    NetworkWriter net;
    net.convolutions(conv_);
    bool first = true;
    for (std::size_t s = 0; s < widths_.size(); ++s) {
      net.stage(static_cast<int>(s) + 1);
      for (std::int64_t c = 0; c < convs_; ++c) {
        const std::string n = name_of(s + 1, "_", c + 1);
        net.add("conv" + n, "convolution", conv_params(widths_[s], 3, 1),
                first ? std::vector<std::string>{"input"} : std::vector<std::string>{});
        first = false;
        if (batchnorm_) net.add("bn" + n, "batchnorm");
        net.add("act" + n, activation_);
      }
      net.add(name_of("pool", s + 1), "max-pool", one_int("kernel", 2));
    }
    net.stage(0);
    net.add("flatten", "flatten");
    for (std::size_t d = 0; d < dense_.size(); ++d) {
      const std::string n = name_of(d + 1);
      net.add("fc" + n, "dense", one_int("units", dense_[d]));
      net.add("fc_act" + n, activation_);
      if (dropout_ > 0) net.add("dropout" + n, "dropout", Params({{"rate", dropout_}}));
    }
    net.add("logits", "dense", one_int("units", num_classes));
    return net.take();
  }

 private:
  std::string activation_;
  ConvSettings conv_;
  std::vector<std::int64_t> widths_;
  std::int64_t convs_;
  bool batchnorm_;
  std::vector<std::int64_t> dense_;
  double dropout_;
};

void register_plugins(Registry& registry) {
  Schema schema{
      param::choice("activation", "relu", activation_choices, "activation after every layer"),
      conv_algorithm_param(),
      conv_precision_param(),
      param::int_list("widths", {64, 128, 256, 512}, 1, {}, "filters of each stage"),
      param::integer("convs", 2, 1, {}, "conv3x3 layers per stage"),
      param::flag("batchnorm", true, "batch normalization after each convolution"),
      param::int_list("dense", {1024, 1024}, 1, {}, "units of each hidden dense layer"),
      param::number("dropout", 0.5, 0.0, 0.99, "dropout after each hidden dense layer; 0 = none"),
  };
  registry.add<Backbone>("vgg", "VGG-style stages of conv3x3 with optional batchnorm", schema,
                         [](const Params& p) { return std::make_unique<Vgg>(p); });
}

}  // namespace
}  // namespace ferlab::backbones

FERLAB_PLUGIN("backbone-vgg", "0.1.0", "vgg backbone", ferlab::backbones::register_plugins)
