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

// The mean of the class probabilities of the views `views_of` makes of each sample, a few
// hundred samples at a time (all ten views of a whole test split would be large). `known`, when
// given, holds one more view per sample already predicted (hflip's unmirrored image, the pass of
// none); it is added first, as that view would have been.
template <class ViewsOf>
std::vector<std::vector<float>> mean_over_views(
    engine::Network& network, const std::vector<Sample>& samples, ViewsOf views_of,
    const std::vector<std::vector<float>>* known = nullptr) {
  constexpr std::size_t chunk = 256;
  std::vector<std::vector<float>> out;
  out.reserve(samples.size());
  for (std::size_t start = 0; start < samples.size(); start += chunk) {
    const std::size_t end = std::min(samples.size(), start + chunk);
    std::vector<Sample> views;
    std::size_t per_image = 0;
    for (std::size_t i = start; i < end; ++i) {
      std::vector<cv::Mat> v = views_of(samples[i].image);
      per_image = v.size();
      for (cv::Mat& view : v) views.push_back({view, samples[i].label, samples[i].id});
    }
    const auto p = engine::predict(network, views);
    for (std::size_t i = 0; i < end - start; ++i) {
      std::vector<float> mean(p[i * per_image].size(), 0.f);
      if (known)
        for (std::size_t k = 0; k < mean.size(); ++k) mean[k] += (*known)[start + i][k];
      for (std::size_t v = 0; v < per_image; ++v)
        for (std::size_t k = 0; k < mean.size(); ++k) mean[k] += p[i * per_image + v][k];
      for (float& m : mean) m /= static_cast<float>(per_image + (known ? 1 : 0));
      out.push_back(std::move(mean));
    }
  }
  return out;
}

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
  return mean_over_views(network, samples,
                         [&](const cv::Mat& image) { return tta_views(image, mode, crop); });
}

std::vector<std::vector<std::vector<float>>> tta_probabilities(
    engine::Network& network, const std::vector<Sample>& samples,
    const std::vector<options::Tta>& modes, int crop) {
  const bool with_none = std::find(modes.begin(), modes.end(), options::Tta::none) != modes.end();
  std::vector<std::vector<float>> plain;
  if (with_none) plain = engine::predict(network, samples);
  std::vector<std::vector<std::vector<float>>> out;
  for (options::Tta mode : modes) {
    if (mode == options::Tta::none)
      out.push_back(plain);
    else if (mode == options::Tta::hflip && with_none)
      out.push_back(mean_over_views(
          network, samples, [](const cv::Mat& image) { return std::vector{mirror(image)}; },
          &plain));
    else
      out.push_back(tta_probabilities(network, samples, mode, crop));
  }
  return out;
}

}  // namespace ferlab::run
