// The `synthetic-faces` dataset: procedurally drawn faces showing the seven FER2013
// expressions. Built in so that quickstarts and tests need no download.
#include <cstdio>
#include <ferlab/abi.hpp>
#include <ferlab/dataset.hpp>
#include <opencv2/core/utility.hpp>
#include <stdexcept>

#include "appearance.hpp"
#include "expression.hpp"
#include "render.hpp"

namespace synthetic_faces {
namespace {

ferlab::Schema schema() {
  using namespace ferlab::param;
  return {
      integer("seed", 1, 0, {}, "generator seed: same seed, same images"),
      integer("size", 48, 16, 512, "image side in pixels"),
      integer("train_count", 1400, 7, 1000000, "images in the train split (balanced classes)"),
      integer("val_count", 350, 7, 1000000, "images in the val split"),
      integer("test_count", 350, 7, 1000000, "images in the test split"),
      number_list("intensity", {0.35, 1.0}, 0, 1,
                  "[min, max] expression intensity: 0 = neutral face, 1 = full prototype"),
      number("jitter", 0.25, 0, 2, "per-feature variation between people (class overlap)"),
      number("label_noise", 0.0, 0, 1, "fraction of labels replaced by a random class"),
      number("max_rotation", 12, 0, 45, "head roll, degrees either way"),
      number("max_shift", 0.06, 0, 0.3, "face offset, fraction of the image side"),
      number_list("scale", {0.9, 1.12}, 0.3, 3, "[min, max] face scale"),
      number("lighting", 0.5, 0, 1, "strength of exposure changes and light gradients"),
      number("noise", 6, 0, 60, "maximum std of Gaussian pixel noise (0-255 scale)"),
      number("occlusion", 0.15, 0, 1, "probability of an occluding patch over the face"),
  };
}

std::pair<double, double> range(const ferlab::Params& p, const std::string& name) {
  std::vector<double> v = p.numbers(name);
  if (v.size() != 2 || v[0] > v[1]) {
    throw std::invalid_argument("synthetic-faces: '" + name +
                                "' must be [min, max] with min <= max");
  }
  return {v[0], v[1]};
}

class SyntheticFaces final : public ferlab::Dataset {
 public:
  explicit SyntheticFaces(const ferlab::Params& p)
      : seed_(static_cast<std::uint64_t>(p.integer("seed"))),
        size_(static_cast<int>(p.integer("size"))),
        label_noise_(p.number("label_noise")) {
    counts_ = {{"train", p.integer("train_count")},
               {"val", p.integer("val_count")},
               {"test", p.integer("test_count")}};
    std::tie(variation_.intensity_min, variation_.intensity_max) = range(p, "intensity");
    variation_.jitter = p.number("jitter");
    nuisance_.max_rotation_deg = p.number("max_rotation");
    nuisance_.max_shift = p.number("max_shift");
    std::tie(nuisance_.scale_min, nuisance_.scale_max) = range(p, "scale");
    nuisance_.lighting = p.number("lighting");
    nuisance_.noise = p.number("noise");
    nuisance_.occlusion = p.number("occlusion");
  }

  ferlab::DatasetContents load(ferlab::EventSink&) override {
    ferlab::DatasetContents contents;
    contents.classes = kClassNames;
    for (std::uint64_t split = 0; split < counts_.size(); ++split) {
      const auto& [name, count] = counts_[split];
      std::vector<ferlab::Sample>& samples = contents.splits[name];
      samples.resize(static_cast<size_t>(count));
      // Each sample has its own engine, so the result does not depend on the thread count.
      cv::parallel_for_(cv::Range(0, static_cast<int>(count)), [&](const cv::Range& r) {
        for (int i = r.start; i < r.end; ++i) samples[i] = make_sample(name, split, i);
      });
    }
    return contents;
  }

 private:
  ferlab::Sample make_sample(const std::string& split_name, std::uint64_t split, int index) const {
    Random random(sample_seed(seed_, split, static_cast<std::uint64_t>(index)));
    int label = index % kNumClasses;  // balanced to within one image per class
    Expression expression = draw_expression(label, variation_, random);
    Appearance appearance = draw_appearance(nuisance_, random);
    ferlab::Sample sample;
    sample.image = render_face(expression, appearance, size_, random);
    sample.label = random.chance(label_noise_) ? random.index(kNumClasses) : label;
    char id[64];
    std::snprintf(id, sizeof id, "synthetic:%s:%06d", split_name.c_str(), index);
    sample.id = id;
    return sample;
  }

  std::uint64_t seed_;
  int size_;
  double label_noise_;
  std::vector<std::pair<std::string, std::int64_t>> counts_;
  Variation variation_;
  Nuisance nuisance_;
};

void register_plugins(ferlab::Registry& registry) {
  registry.add<ferlab::Dataset>(
      "synthetic-faces", "procedurally drawn faces showing the seven FER2013 expressions", schema(),
      [](const ferlab::Params& p) { return std::make_unique<SyntheticFaces>(p); });
}

}  // namespace
}  // namespace synthetic_faces

FERLAB_PLUGIN("dataset-synthetic-faces", "0.1.0", "Built-in synthetic facial-expression dataset",
              synthetic_faces::register_plugins)
