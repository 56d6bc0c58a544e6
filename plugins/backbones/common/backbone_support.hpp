// Helpers shared by the in-tree backbone plugins (header-only): write a NetworkDef as a
// sequence of layer lines.
#pragma once

#include <ferlab/backbone.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace ferlab::backbones {

// The activation layers a backbone may switch between with one word.
inline const std::vector<std::string> activation_choices{"relu",  "leaky-relu", "elu",    "gelu",
                                                         "swish", "tanh",       "sigmoid"};

// The `algorithm` and `precision` of every convolution in a backbone (see the convolution
// layer). Winograd (auto) trains vgg ~1.8x faster for ~130 MB more memory; bf16 is faster
// still where the CPU multiplies bf16 natively (AMX, AVX512-BF16).
inline ParamSpec conv_algorithm_param() {
  return param::choice("conv_algorithm", "direct", {"direct", "auto"},
                       "convolutions: direct, or auto (Winograd where it pays: 3x3 stride 1, "
                       "16+ channels, batches of 16+, AVX-512, f32)");
}
inline ParamSpec conv_precision_param() {
  return param::choice("conv_precision", "f32", {"f32", "bf16"},
                       "convolutions compute in f32, or in bf16 with f32 accumulation (AVX-512; "
                       "fast with AMX or AVX512-BF16)");
}
struct ConvSettings {
  explicit ConvSettings(const Params& p)
      : algorithm(p.text("conv_algorithm")), precision(p.text("conv_precision")) {}
  std::string algorithm, precision;
};

// Appends layers one after another; each takes the previous one as input unless told.
class NetworkWriter {
 public:
  std::string add(std::string name, std::string type, Params params = {},
                  std::vector<std::string> inputs = {}) {
    def_.layers.push_back({name, std::move(type), std::move(inputs), std::move(params), stage_});
    return name;
  }
  // Layers added from now on belong to this stage (LayerDef::stage; 0 = classifier head).
  void stage(int s) { stage_ = s; }
  // Every convolution, written before or after, runs with these settings.
  void convolutions(const ConvSettings& settings) { conv_ = settings; }
  NetworkDef take() {
    for (LayerDef& layer : def_.layers)
      if (layer.type == "convolution" && conv_) {
        layer.params.set("algorithm", conv_->algorithm);
        layer.params.set("precision", conv_->precision);
      }
    return std::move(def_);
  }

 private:
  NetworkDef def_;
  int stage_ = 0;
  std::optional<ConvSettings> conv_;
};

// Concatenates strings and integers into a layer name: name_of("s", 1, "b", 2, "_").
// (Appending also avoids a false GCC 12 -Wrestrict warning on "s" + std::string.)
template <class... Parts>
std::string name_of(const Parts&... parts) {
  std::string name;
  auto append = [&name](const auto& part) {
    if constexpr (std::is_integral_v<std::decay_t<decltype(part)>>)
      name += std::to_string(part);
    else
      name += part;
  };
  (append(parts), ...);
  return name;
}

inline Params conv_params(std::int64_t filters, std::int64_t kernel, std::int64_t padding) {
  return Params({{"filters", filters}, {"kernel", kernel}, {"padding", padding}});
}
inline Params one_int(const char* name, std::int64_t value) { return Params({{name, value}}); }

}  // namespace ferlab::backbones
