// seed-cnn: the small reference CNN of the seed literature. Three conv3x3 (pad 1) -> activation
// -> maxpool 2 stages, then dense -> activation -> dropout -> dense to the classes.
// Defaults on 1x48x48 and 7 classes: 1,274,375 parameters.
#include <ferlab/abi.hpp>
#include <memory>

#include "../common/backbone_support.hpp"

namespace ferlab::backbones {
namespace {

class SeedCnn final : public Backbone {
 public:
  explicit SeedCnn(const Params& p)
      : activation_(p.text("activation")),
        conv_(p),
        widths_(p.ints("widths")),
        dense_(p.integer("dense")),
        dropout_(p.number("dropout")) {}

  NetworkDef build(const InputShape&, int num_classes) const override {
    NetworkWriter net;
    net.convolutions(conv_);
    for (std::size_t i = 0; i < widths_.size(); ++i) {
      net.stage(static_cast<int>(i) + 1);
      const std::string n = std::to_string(i + 1);
      net.add("conv" + n, "convolution", conv_params(widths_[i], 3, 1),
              i == 0 ? std::vector<std::string>{"input"} : std::vector<std::string>{});
      net.add("act" + n, activation_);
      net.add("pool" + n, "max-pool", one_int("kernel", 2));
    }
    net.stage(0);
    net.add("flatten", "flatten");
    net.add("fc", "dense", one_int("units", dense_));
    net.add("fc_act", activation_);
    net.add("dropout", "dropout", Params({{"rate", dropout_}}));
    net.add("logits", "dense", one_int("units", num_classes));
    return net.take();
  }

 private:
  std::string activation_;
  ConvSettings conv_;
  std::vector<std::int64_t> widths_;
  std::int64_t dense_;
  double dropout_;
};

void register_plugins(Registry& registry) {
  Schema schema{
      param::choice("activation", "relu", activation_choices, "activation after every layer"),
      conv_algorithm_param(),
      conv_precision_param(),
      param::int_list("widths", {32, 64, 128}, 1, {}, "filters of each conv3x3 + maxpool stage"),
      param::integer("dense", 256, 1, {}, "units of the hidden dense layer"),
      param::number("dropout", 0.5, 0.0, 0.99, "dropout rate before the last layer"),
  };
  registry.add<Backbone>("seed-cnn", "3 conv stages + dense: the seed literature's baseline CNN",
                         schema, [](const Params& p) { return std::make_unique<SeedCnn>(p); });
}

}  // namespace
}  // namespace ferlab::backbones

FERLAB_PLUGIN("backbone-seed-cnn", "0.1.0", "seed-cnn backbone", ferlab::backbones::register_plugins)
