// Helpers shared by the in-tree backbone plugins (header-only): write a NetworkDef as a
// sequence of layer lines.
#pragma once

#include <ferlab/backbone.hpp>
#include <string>
#include <type_traits>
#include <vector>

namespace ferlab::backbones {

// The activation layers a backbone may switch between with one word.
inline const std::vector<std::string> activation_choices{"relu",  "leaky-relu", "elu",    "gelu",
                                                         "swish", "tanh",       "sigmoid"};

// The `algorithm` of every convolution in a backbone. Winograd (auto) trains vgg ~1.8x faster
// for ~130 MB more memory; see the convolution layer.
inline ParamSpec conv_algorithm_param() {
  return param::choice("conv_algorithm", "direct", {"direct", "auto"},
                       "convolutions: direct, or auto (Winograd where it pays: 3x3 stride 1, "
                       "16+ channels, batches of 16+, AVX-512)");
}

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
  // Every convolution, written before or after, runs with this algorithm.
  void conv_algorithm(std::string algorithm) { conv_algorithm_ = std::move(algorithm); }
  NetworkDef take() {
    for (LayerDef& layer : def_.layers)
      if (layer.type == "convolution" && !conv_algorithm_.empty())
        layer.params.set("algorithm", conv_algorithm_);
    return std::move(def_);
  }

 private:
  NetworkDef def_;
  int stage_ = 0;
  std::string conv_algorithm_;
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
