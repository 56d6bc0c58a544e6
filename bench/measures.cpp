#include "measures.hpp"

#include <algorithm>
#include <dnnl.hpp>
#include <fstream>
#include <random>
#include <stdexcept>

#include "engine/loss.hpp"
#include "engine/optimizer.hpp"

namespace ferlab::bench {

namespace {

std::vector<float> random_images(const engine::Network& network, int batch) {
  const InputShape& s = network.input_shape();
  std::vector<float> images(static_cast<std::size_t>(batch) * s.channels * s.height * s.width);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> pixel(0.f, 1.f);
  for (float& v : images) v = pixel(rng);
  return images;
}

}  // namespace

std::vector<double> time_training(engine::Network& network, int batch, const Repeat& repeat) {
  network.prepare(batch);
  const std::vector<float> images = random_images(network, batch);
  const int classes = network.output_size();
  std::vector<int> labels(batch);
  for (int i = 0; i < batch; ++i) labels[i] = i % classes;
  engine::OptimizerOptions sgd;
  sgd.lr = 0.001;  // small: the fixed batch must not drive the loss to denormal gradients
  engine::Optimizer optimizer(sgd, network.parameters());
  return time_runs(repeat, [&] {
    std::copy(images.begin(), images.end(), network.input());
    const float* logits = network.forward(true);
    engine::softmax_cross_entropy(logits, labels.data(), batch, classes, {}, network.output_grad());
    network.backward();
    optimizer.step(sgd.lr);
  });
}

std::vector<double> time_inference(engine::Network& network, int batch, const Repeat& repeat) {
  network.prepare(batch);
  const std::vector<float> images = random_images(network, batch);
  return time_runs(repeat, [&] {
    std::copy(images.begin(), images.end(), network.input());
    network.forward(false);
  });
}

std::vector<double> time_sgemm(int n, const Repeat& repeat) {
  const std::size_t size = static_cast<std::size_t>(n) * n;
  std::vector<float> a(size, 0.5f), b(size, 0.25f), c(size, 0.f);
  return time_runs(repeat, [&] {
    if (dnnl_sgemm('N', 'N', n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n) !=
        dnnl_success)
      throw std::runtime_error("dnnl_sgemm failed");
  });
}

long status_kb(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == field + ":") {
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return 0;
}

}  // namespace ferlab::bench
