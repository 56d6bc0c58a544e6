// `denoise`: Gaussian, median, bilateral or non-local-means filtering. The last two smooth
// skin while keeping the edges of eyes, brows and mouth that carry the expression.
#include <ferlab/abi.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>
#include <stdexcept>
#include <string>

namespace {

void require_odd(const ferlab::Params& p, const std::string& name) {
  if (p.integer(name) % 2 == 0) {
    throw std::invalid_argument("denoise: '" + name + "' must be odd, got " +
                                std::to_string(p.integer(name)));
  }
}

class Denoise final : public ferlab::Preprocessor {
 public:
  explicit Denoise(const ferlab::Params& p)
      : method_(p.text("method")),
        sigma_(p.number("sigma")),
        ksize_(static_cast<int>(p.integer("ksize"))),
        diameter_(static_cast<int>(p.integer("diameter"))),
        sigma_color_(p.number("sigma_color")),
        sigma_space_(p.number("sigma_space")),
        h_(static_cast<float>(p.number("h"))),
        template_window_(static_cast<int>(p.integer("template_window"))),
        search_window_(static_cast<int>(p.integer("search_window"))) {
    require_odd(p, "ksize");
    require_odd(p, "template_window");
    require_odd(p, "search_window");
  }

  cv::Mat apply(const cv::Mat& image, ferlab::EventSink&) const override {
    cv::Mat out;
    if (method_ == "gaussian") {
      cv::GaussianBlur(image, out, {0, 0}, sigma_, sigma_, cv::BORDER_REFLECT_101);
    } else if (method_ == "median") {
      cv::medianBlur(image, out, ksize_);
    } else if (method_ == "bilateral") {
      cv::bilateralFilter(image, out, diameter_, sigma_color_, sigma_space_);
    } else if (image.channels() == 3) {
      cv::fastNlMeansDenoisingColored(image, out, h_, h_, template_window_, search_window_);
    } else {
      cv::fastNlMeansDenoising(image, out, h_, template_window_, search_window_);
    }
    return out;
  }

 private:
  std::string method_;
  double sigma_;
  int ksize_, diameter_;
  double sigma_color_, sigma_space_;
  float h_;
  int template_window_, search_window_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      choice("method", "gaussian", {"gaussian", "median", "bilateral", "nlm"},
             "filter: Gaussian blur, median, bilateral, or non-local means"),
      number("sigma", 1.0, 0.1, 20, "gaussian: standard deviation in pixels"),
      integer("ksize", 3, 3, 15, "median: aperture (odd)"),
      integer("diameter", 5, 1, 25, "bilateral: neighbourhood diameter in pixels"),
      number("sigma_color", 25, 1, 255, "bilateral: intensity difference that still smooths"),
      number("sigma_space", 5, 0.5, 50, "bilateral: spatial standard deviation"),
      number("h", 7, 1, 50, "nlm: filter strength (higher removes more noise and detail)"),
      integer("template_window", 7, 3, 21, "nlm: patch size (odd)"),
      integer("search_window", 21, 3, 41, "nlm: search area size (odd)"),
  };
  registry.add<ferlab::Preprocessor>(
      "denoise", "noise reduction: gaussian, median, bilateral or non-local means", schema,
      [](const ferlab::Params& p) { return std::make_unique<Denoise>(p); });
}

}  // namespace

FERLAB_PLUGIN("preprocessor-denoise", "0.1.0", "Denoising filters", register_plugins)
