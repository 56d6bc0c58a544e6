// A tiny learnable problem shared by the trainer tests: 8x8 images whose class is the bright
// quadrant, a small CNN for it, and helpers to compare trained weights.
#pragma once

#include <ferlab/sample.hpp>
#include <random>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "engine_fixture.hpp"
#include "options/train_options.hpp"

namespace ferlab::test {

// Four classes of 8x8 grayscale images: one bright quadrant each, on noise.
inline std::vector<Sample> quadrant_samples(int count, std::uint64_t seed) {
  Rng rng(seed);
  std::uniform_int_distribution<int> noise(0, 60);
  std::vector<Sample> samples;
  for (int i = 0; i < count; ++i) {
    Sample s;
    s.label = i % 4;
    s.id = "synthetic:" + std::to_string(i);
    s.image = cv::Mat(8, 8, CV_8UC1);
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        const bool bright = (y / 4) * 2 + (x / 4) == s.label;
        s.image.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(noise(rng) + (bright ? 150 : 0));
      }
    samples.push_back(std::move(s));
  }
  return samples;
}

inline NetworkDef tiny_cnn(bool batchnorm = true) {
  auto l = [](std::string name, std::string type, Overrides p = {}) {
    return LayerDef{std::move(name), std::move(type), {}, Params(std::move(p))};
  };
  NetworkDef def;
  def.layers = {
      l("conv", "convolution", {{"filters", std::int64_t{4}}, {"padding", std::int64_t{1}}}),
      l("bn", "batchnorm"),
      l("act", "relu"),
      l("pool", "max-pool", {{"kernel", std::int64_t{2}}}),
      l("flat", "flatten"),
      l("drop", "dropout", {{"rate", 0.1}}),
      l("logits", "dense", {{"units", std::int64_t{4}}})};
  if (!batchnorm) def.layers.erase(def.layers.begin() + 1);
  return def;
}

inline engine::TrainOptions adam_options(int epochs) {
  engine::TrainOptions o;
  o.epochs = epochs;
  o.batch = 16;
  o.optimizer.name = options::Optimizer::adam;
  o.optimizer.lr = 0.01;
  return o;
}

inline std::vector<float> all_weights(engine::Network& net) {
  std::vector<float> all;
  for (Parameter* p : net.parameters()) {
    const float* w = static_cast<const float*>(p->value.get_data_handle());
    all.insert(all.end(), w, w + p->value.get_desc().get_size() / sizeof(float));
  }
  return all;
}

}  // namespace ferlab::test
