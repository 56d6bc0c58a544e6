#include "run/tta.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/trainer.hpp"

namespace ferlab::run {
namespace {

cv::Mat mirror(const cv::Mat& image) {
  cv::Mat out;
  cv::flip(image, out, 1);
  return out;
}

// A few hundred images at a time: all ten views of a whole test split would be large.
constexpr std::size_t chunk = 256;

}  // namespace

std::vector<cv::Mat> tta_views(const cv::Mat& image, options::Tta mode, int crop) {
  if (mode == options::Tta::none) return {image};
  if (mode == options::Tta::hflip) return {image, mirror(image)};
  const int side =
      crop > 0 ? crop : static_cast<int>(std::lround(0.875 * std::min(image.rows, image.cols)));
  if (side < 1 || side > image.rows || side > image.cols)
    throw std::invalid_argument("ten-crop: a crop of " + std::to_string(side) +
                                " pixels does not fit a " + std::to_string(image.cols) + "x" +
                                std::to_string(image.rows) + " image");
  const int right = image.cols - side, bottom = image.rows - side;
  std::vector<cv::Mat> views;
  for (cv::Point at : {cv::Point(0, 0), cv::Point(right, 0), cv::Point(0, bottom),
                       cv::Point(right, bottom), cv::Point(right / 2, bottom / 2)})
    views.push_back(image(cv::Rect(at.x, at.y, side, side)));
  for (int i = 0; i < 5; ++i) views.push_back(mirror(views[i]));
  return views;
}

std::vector<std::vector<float>> tta_probabilities(engine::Network& network,
                                                  const std::vector<Sample>& samples,
                                                  options::Tta mode, int crop) {
  if (mode == options::Tta::none) return engine::predict(network, samples);
  std::vector<std::vector<float>> out;
  out.reserve(samples.size());
  for (std::size_t start = 0; start < samples.size(); start += chunk) {
    const std::size_t end = std::min(samples.size(), start + chunk);
    std::vector<Sample> views;
    std::size_t per_image = 0;
    for (std::size_t i = start; i < end; ++i) {
      std::vector<cv::Mat> v = tta_views(samples[i].image, mode, crop);
      per_image = v.size();
      for (cv::Mat& view : v) views.push_back({view, samples[i].label, samples[i].id});
    }
    const auto p = engine::predict(network, views);
    for (std::size_t i = 0; i < end - start; ++i) {
      std::vector<float> mean(p[i * per_image].size(), 0.f);
      for (std::size_t v = 0; v < per_image; ++v)
        for (std::size_t k = 0; k < mean.size(); ++k) mean[k] += p[i * per_image + v][k];
      for (float& m : mean) m /= static_cast<float>(per_image);
      out.push_back(std::move(mean));
    }
  }
  return out;
}

std::vector<std::vector<std::vector<float>>> tta_probabilities(
    engine::Network& network, const std::vector<Sample>& samples,
    const std::vector<options::Tta>& modes, int crop) {
  const auto asked = [&](options::Tta mode) {
    return std::find(modes.begin(), modes.end(), mode) != modes.end();
  };
  std::vector<std::vector<float>> plain;
  if (asked(options::Tta::none)) plain = engine::predict(network, samples);
  std::vector<std::vector<std::vector<float>>> out;
  for (options::Tta mode : modes) {
    if (mode == options::Tta::none) {
      out.push_back(plain);
    } else if (mode == options::Tta::hflip && asked(options::Tta::none)) {
      std::vector<std::vector<float>> mean;
      mean.reserve(samples.size());
      for (std::size_t start = 0; start < samples.size(); start += chunk) {
        std::vector<Sample> mirrored(samples.begin() + start,
                                     samples.begin() + std::min(samples.size(), start + chunk));
        for (Sample& s : mirrored) s.image = mirror(s.image);
        for (std::vector<float>& p : engine::predict(network, mirrored)) {
          // As the views' mean above: (0 + plain + mirrored) / 2, the same float operations.
          const std::vector<float>& unmirrored = plain[mean.size()];
          for (std::size_t k = 0; k < p.size(); ++k) p[k] = (0.f + unmirrored[k] + p[k]) / 2.f;
          mean.push_back(std::move(p));
        }
      }
      out.push_back(std::move(mean));
    } else {
      out.push_back(tta_probabilities(network, samples, mode, crop));
    }
  }
  return out;
}

}  // namespace ferlab::run
