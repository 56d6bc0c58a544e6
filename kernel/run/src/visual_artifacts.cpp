#include "run/visual_artifacts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <opencv2/imgproc.hpp>

#include "assembly/network_setup.hpp"
#include "engine/checkpoint.hpp"
#include "run/grad_cam.hpp"
#include "run/preview_grid.hpp"
#include "storage/run_outputs.hpp"

namespace ferlab::run {
namespace {

// Images are kept at the network's resolution; the page scales them up.
constexpr int misclassified_count = 8, preview_columns = 5, gradcam_size = 96;

storage::Artifact image_artifact(const std::string& kind, const std::string& name,
                                 const cv::Mat& image, const std::string& caption) {
  storage::Artifact a;
  a.kind = kind;
  a.name = name;
  a.mime = "image/png";
  a.data = encode_png(image);
  a.bytes = static_cast<std::int64_t>(a.data->size());
  a.caption = caption;
  return a;
}

// The test predictions of the best checkpoint (as recorded) whose samples are in `data`.
struct TestPredictions {
  std::map<std::string, const Sample*> samples;  // by id
  std::vector<storage::Prediction> rows;
};

TestPredictions test_predictions(storage::RunStore& store, std::int64_t run,
                                 const DatasetContents& data) {
  TestPredictions out;
  auto test = data.splits.find("test");
  if (test == data.splits.end()) return out;
  for (const Sample& s : test->second) out.samples[s.id] = &s;
  for (storage::PredictionSet& set : storage::run_predictions(store.database(), run))
    if (set.split == "test" && set.tta == "none" && set.checkpoint == "best")
      for (storage::Prediction& p : set.rows)
        if (out.samples.count(p.sample)) out.rows.push_back(std::move(p));
  return out;
}

float confidence(const storage::Prediction* p) { return p->probabilities.at(p->predicted_class); }

// The wrong test predictions of the best checkpoint, most confident first.
void record_misclassified(storage::RunStore& store, std::int64_t run, const DatasetContents& data) {
  TestPredictions test = test_predictions(store, run, data);
  std::vector<const storage::Prediction*> wrong;
  for (const storage::Prediction& p : test.rows)
    if (p.true_class != p.predicted_class) wrong.push_back(&p);
  std::stable_sort(wrong.begin(), wrong.end(),
                   [](auto* a, auto* b) { return confidence(a) > confidence(b); });
  wrong.resize(std::min<size_t>(wrong.size(), misclassified_count));
  for (size_t i = 0; i < wrong.size(); ++i) {
    const storage::Prediction& p = *wrong[i];
    store.record_artifact(
        run,
        image_artifact("misclassified", fmt::format("{:02} {}", i + 1, p.sample),
                       test.samples.at(p.sample)->image,
                       fmt::format("true {}, predicted {} ({:.2f})", data.classes.at(p.true_class),
                                   data.classes.at(p.predicted_class), confidence(&p))));
  }
}

// One training image per class (rows, in class order): as preprocessed, then preview_columns
// draws of the per-image augmentation, all from one generator seeded with the run's seed.
void record_preview(storage::RunStore& store, std::int64_t run,
                    const kernel::PluginCatalog& catalog, const spec::RunSpec& spec,
                    const DatasetContents& data) {
  auto train = data.splits.find("train");
  if (train == data.splits.end() || train->second.empty()) return;
  const engine::Augmentation augmentation = assembly::make_augment(catalog, spec);
  GridStyle style;
  style.columns = augmentation.image ? 1 + preview_columns : 1;
  style.cell = train->second.front().image.size();
  style.gap = 1;
  GridSection section;
  Rng rng(static_cast<std::uint64_t>(spec.seed));
  for (size_t c = 0; c < data.classes.size(); ++c) {
    auto found = std::find_if(train->second.begin(), train->second.end(),
                              [c](const Sample& s) { return s.label == static_cast<int>(c); });
    if (found == train->second.end()) continue;
    for (int column = 0; column < style.columns; ++column) {
      cv::Mat image = found->image.clone();
      if (column > 0) augmentation.image(image, rng);
      section.tiles.push_back({image, ""});
    }
  }
  std::string caption =
      "one training image per class (rows, in class order): first column "
      "after preprocessing";
  if (augmentation.image)
    caption += fmt::format(", then {} random draws of the augmentation", preview_columns);
  store.record_artifact(run,
                        image_artifact("preview", "train", draw_grid({section}, style), caption));
}

// The weights the test predictions came from: the best checkpoint the run recorded, when it did
// (the network may hold the last epoch's weights by now).
void load_best_weights(storage::RunStore& store, std::int64_t run, engine::Network& network) {
  for (const storage::Artifact& a : storage::run_artifacts(store.database(), run))
    if (a.kind == "checkpoint" && a.name == "best" && a.path) {
      std::filesystem::path file = *a.path;
      if (file.is_relative())
        file = std::filesystem::path(store.database().path()).parent_path() / file;
      engine::load_checkpoint(file, network);
    }
}

// The face in grey with the Grad-CAM map (normalised to its maximum) over it in colour.
cv::Mat overlay(const cv::Mat& face, const std::vector<float>& cam, const FeatureMap& map) {
  cv::Mat heat(map.height, map.width, CV_32F, const_cast<float*>(cam.data()));
  double high = 0;
  cv::minMaxLoc(heat, nullptr, &high);
  cv::Mat heat8;
  heat.convertTo(heat8, CV_8U, high > 0 ? 255.0 / high : 0.0);
  cv::resize(heat8, heat8, cv::Size(gradcam_size, gradcam_size), 0, 0, cv::INTER_CUBIC);
  cv::Mat colour, grey = face;
  cv::applyColorMap(heat8, colour, cv::COLORMAP_JET);
  if (grey.channels() == 3) cv::cvtColor(grey, grey, cv::COLOR_BGR2GRAY);
  cv::resize(grey, grey, cv::Size(gradcam_size, gradcam_size), 0, 0, cv::INTER_LINEAR);
  cv::cvtColor(grey, grey, cv::COLOR_GRAY2BGR);
  cv::Mat out;
  cv::addWeighted(grey, 0.55, colour, 0.45, 0, out);
  return out;
}

// Per class, the first correctly and the first incorrectly classified test face, each with the
// Grad-CAM of its predicted class.
void record_gradcam(storage::RunStore& store, std::int64_t run, engine::Network& network,
                    const DatasetContents& data) {
  std::optional<FeatureMap> map = last_feature_map(network);
  TestPredictions test = test_predictions(store, run, data);
  if (!map || test.rows.empty()) return;
  std::vector<const storage::Prediction*> chosen;
  for (int c = 0; c < static_cast<int>(data.classes.size()); ++c)
    for (bool right : {true, false}) {
      auto found = std::find_if(test.rows.begin(), test.rows.end(), [&](const auto& p) {
        return p.true_class == c && (p.predicted_class == c) == right;
      });
      if (found != test.rows.end()) chosen.push_back(&*found);
    }
  load_best_weights(store, run, network);
  std::vector<const Sample*> images;
  std::vector<int> classes;
  for (const storage::Prediction* p : chosen) {
    images.push_back(test.samples.at(p->sample));
    classes.push_back(p->predicted_class);
  }
  std::vector<std::vector<float>> cams = grad_cam(network, *map, images, classes);
  for (size_t i = 0; i < chosen.size(); ++i) {
    const storage::Prediction& p = *chosen[i];
    store.record_artifact(
        run, image_artifact(
                 "gradcam", fmt::format("{:02} {}", i + 1, p.sample),
                 overlay(images[i]->image, cams[i], *map),
                 fmt::format("{}: true {}, predicted {} ({:.2f}); layer {}",
                             p.true_class == p.predicted_class ? "right" : "wrong",
                             data.classes.at(p.true_class), data.classes.at(p.predicted_class),
                             confidence(&p), map->layer)));
  }
}

}  // namespace

void record_visual_artifacts(storage::RunStore& store, std::int64_t run,
                             const kernel::PluginCatalog& catalog, const spec::RunSpec& spec,
                             engine::Network& network, const DatasetContents& data,
                             EventLog& events) {
  try {
    record_misclassified(store, run, data);
    record_preview(store, run, catalog, spec, data);
    record_gradcam(store, run, network, data);  // last: it may load other weights
  } catch (const std::exception& e) {
    events.warn("report-images", fmt::format("images for the report: {}", e.what()));
  }
}

}  // namespace ferlab::run
