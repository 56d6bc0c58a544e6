#include "run/grad_cam.hpp"

#include <algorithm>

#include "engine/batch.hpp"

namespace ferlab::run {

std::vector<float> grad_cam_map(const float* activations, const float* gradients, int channels,
                                int height, int width) {
  const int area = height * width;
  std::vector<float> cam(area, 0.0f);
  for (int k = 0; k < channels; ++k) {
    double weight = 0;
    for (int i = 0; i < area; ++i) weight += gradients[k * area + i];
    weight /= area;
    for (int i = 0; i < area; ++i) cam[i] += static_cast<float>(weight) * activations[k * area + i];
  }
  for (float& v : cam) v = std::max(v, 0.0f);
  return cam;
}

std::optional<FeatureMap> last_feature_map(const engine::Network& network) {
  std::optional<FeatureMap> found;
  for (const engine::LayerSummary& row : network.summary())
    if (row.output.size() == 3 && row.output[1] > 1 && row.output[2] > 1)
      found = FeatureMap{row.name, static_cast<int>(row.output[0]), static_cast<int>(row.output[1]),
                         static_cast<int>(row.output[2])};
  return found;
}

std::vector<std::vector<float>> grad_cam(engine::Network& network, const FeatureMap& map,
                                         const std::vector<const Sample*>& images,
                                         const std::vector<int>& classes) {
  const int n = static_cast<int>(images.size()), outputs = network.output_size();
  if (n == 0) return {};
  const InputShape& shape = network.input_shape();
  const std::size_t image_size =
      static_cast<std::size_t>(shape.channels) * shape.height * shape.width;
  network.prepare(n);
  network.retain_grad(map.layer);
  for (int i = 0; i < n; ++i)
    engine::image_to_tensor(images[i]->image, shape, network.input() + i * image_size);
  network.forward(engine::Pass::explain);
  // d(class logit)/d(output): one-hot per image, so backward gives d(logit)/dA.
  float* seed = network.output_grad();
  std::fill(seed, seed + static_cast<std::size_t>(n) * outputs, 0.0f);
  for (int i = 0; i < n; ++i) seed[static_cast<std::size_t>(i) * outputs + classes[i]] = 1.0f;
  network.backward();
  std::vector<float> a = network.output_of(map.layer), g = network.grad_of(map.layer);
  const std::size_t per_image = static_cast<std::size_t>(map.channels) * map.height * map.width;
  std::vector<std::vector<float>> maps;
  for (int i = 0; i < n; ++i)
    maps.push_back(grad_cam_map(a.data() + i * per_image, g.data() + i * per_image, map.channels,
                                map.height, map.width));
  return maps;
}

}  // namespace ferlab::run
