// `normalize`: standardises intensities, either per image or with the train split's mean and
// std (learnt in fit(), never from val/test). Pixels stay 8-bit, so the standardised values
// are stored as target_mean + target_std * z, clipped to 0..255.
#include <algorithm>
#include <cmath>
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <sstream>
#include <stdexcept>

namespace {

class Normalize final : public ferlab::Preprocessor {
 public:
  explicit Normalize(const ferlab::Params& p)
      : per_image_(p.text("mode") == "per-image"),
        target_mean_(p.number("target_mean")),
        target_std_(p.number("target_std")) {}

  void fit(const std::vector<ferlab::Sample>& train) override {
    if (per_image_) return;
    double sum = 0, sum_sq = 0, n = 0;
    for (const ferlab::Sample& s : train) {
      cv::Mat f;
      s.image.convertTo(f, CV_64F);
      cv::Scalar total = cv::sum(f);
      for (int c = 0; c < f.channels(); ++c) sum += total[c];
      sum_sq += f.dot(f);
      n += static_cast<double>(s.image.total()) * s.image.channels();
    }
    if (n == 0) throw std::invalid_argument("normalize: the train split is empty");
    mean_ = sum / n;
    std_ = std::sqrt(std::max(0.0, sum_sq / n - mean_ * mean_));
    fitted_ = true;
  }

  // "mean std", with the 17 digits that read back to the same doubles.
  std::string fitted_state() const override {
    if (!fitted_) return {};
    std::ostringstream out;
    out.precision(17);
    out << mean_ << ' ' << std_;
    return out.str();
  }

  void restore(const std::string& state) override {
    std::istringstream in(state);
    double mean = 0, std = 0;
    if (per_image_ ? !state.empty() : !(in >> mean >> std) || !(in >> std::ws).eof() || !(std >= 0))
      throw std::invalid_argument("normalize (mode " +
                                  std::string(per_image_ ? "per-image" : "dataset") +
                                  "): cannot restore state '" + state + "'; expected " +
                                  (per_image_ ? "none" : "'mean std' of the train split"));
    if (per_image_) return;
    mean_ = mean, std_ = std, fitted_ = true;
  }

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    double mean = mean_, std = std_;
    if (per_image_) {
      cv::Scalar m, s;
      cv::meanStdDev(image.reshape(1), m, s);  // over all channels together
      mean = m[0], std = s[0];
    } else if (!fitted_) {
      throw std::logic_error("normalize: mode 'dataset' needs fit() on the train split first");
    }
    double gain = target_std_ / std::max(std, 1.0);  // flat images are not blown up
    cv::Mat out;
    image.convertTo(out, image.type(), gain, target_mean_ - gain * mean);
    return out;
  }

 private:
  bool per_image_;
  double target_mean_, target_std_;
  bool fitted_ = false;
  double mean_ = 0, std_ = 1;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      choice("mode", "per-image", {"per-image", "dataset"},
             "statistics of each image, or of the whole train split"),
      number("target_mean", 128, 0, 255, "stored value of the mean"),
      number("target_std", 48, 1, 128, "stored distance of one standard deviation"),
  };
  registry.add<ferlab::Preprocessor>(
      "normalize", "standardise intensities (per image, or train-split mean/std)", schema,
      [](const ferlab::Params& p) { return std::make_unique<Normalize>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-normalize", "0.1.0", "Intensity standardisation", register_plugins)
