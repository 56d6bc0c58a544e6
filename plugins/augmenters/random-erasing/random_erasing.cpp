// `random-erasing` (cutout): blanks a random rectangle, so the network cannot rely on any one
// facial region -- the synthetic occlusions of Zhong et al. 2020.
#include <cmath>
#include <ferlab/abi.hpp>
#include <stdexcept>

#include "../common/random.hpp"

namespace {

std::pair<double, double> range(const ferlab::Params& p, const std::string& name) {
  std::vector<double> v = p.numbers(name);
  if (v.size() != 2 || v[0] > v[1]) {
    throw std::invalid_argument("random-erasing: '" + name + "' must be [min, max], min <= max");
  }
  return {v[0], v[1]};
}

class RandomErasing final : public ferlab::Augmenter {
 public:
  explicit RandomErasing(const ferlab::Params& p)
      : p_(p.number("p")),
        area_(range(p, "area")),
        aspect_(range(p, "aspect")),
        fill_(p.text("fill")) {}

  void apply(cv::Mat& image, ferlab::Rng& rng) const override {
    if (!augment::chance(rng, p_)) return;
    // As in the paper: retry a few times when the drawn rectangle does not fit.
    for (int attempt = 0; attempt < 10; ++attempt) {
      double area = augment::uniform(rng, area_.first, area_.second) * image.total();
      double aspect = std::exp(augment::uniform(rng, std::log(aspect_.first),
                                                std::log(aspect_.second)));  // h / w
      int h = static_cast<int>(std::lround(std::sqrt(area * aspect)));
      int w = static_cast<int>(std::lround(std::sqrt(area / aspect)));
      if (h < 1 || w < 1 || h > image.rows || w > image.cols) continue;
      int x = augment::index(rng, image.cols - w + 1);
      int y = augment::index(rng, image.rows - h + 1);
      cv::Mat out = image.clone();
      erase(out(cv::Rect(x, y, w, h)), cv::mean(image), rng);
      image = out;
      return;
    }
  }

 private:
  void erase(cv::Mat region, const cv::Scalar& mean, ferlab::Rng& rng) const {
    if (fill_ == "mean")
      region.setTo(mean);
    else if (fill_ == "black")
      region.setTo(cv::Scalar::all(0));
    else if (fill_ == "gray")
      region.setTo(cv::Scalar::all(128));
    else {  // noise: uniform random pixels
      for (int r = 0; r < region.rows; ++r) {
        auto* row = region.ptr<unsigned char>(r);
        for (int i = 0; i < region.cols * region.channels(); ++i) {
          row[i] = static_cast<unsigned char>(augment::index(rng, 256));
        }
      }
    }
  }

  double p_;
  std::pair<double, double> area_, aspect_;
  std::string fill_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      number("p", 0.5, 0, 1, "probability of erasing"),
      number_list("area", {0.02, 0.25}, 0.001, 1, "[min, max] erased fraction of the image"),
      number_list("aspect", {0.3, 3.3}, 0.05, 20, "[min, max] height/width of the rectangle"),
      choice("fill", "noise", {"noise", "mean", "black", "gray"},
             "what replaces the pixels: uniform noise, the image mean, 0 or 128"),
  };
  registry.add<ferlab::Augmenter>(
      "random-erasing", "blank a random rectangle (cutout)", schema,
      [](const ferlab::Params& p) { return std::make_unique<RandomErasing>(p); });
}

}  // namespace

FERLAB_PLUGIN("augmenter-random-erasing", "0.1.0", "Random erasing", register_plugins)
