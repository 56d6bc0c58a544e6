// A model trained with a preprocessing step that learns from the train split (normalize, mode
// dataset) predicts with that split's statistics: `ferlab predict` agrees with OpenCV DNN on
// the exported model fed crops normalised by a mean and std this test computes from the
// dataset itself — for a run that fitted the step, and for a second run whose preprocessed
// images came from the cache. The exported model's metadata carries the same statistics.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "predict_scenes.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

namespace ferlab::test {
namespace {

using testing_support::run_ferlab;

// Mean and standard deviation of the train split's gray pixels, by plain loops.
std::pair<double, double> train_statistics() {
  RecordingEvents events;
  auto dataset = make<Dataset>("synthetic-faces", {{"seed", OneEpochData::seed},
                                                   {"train_count", OneEpochData::train_count},
                                                   {"val_count", OneEpochData::val_count},
                                                   {"test_count", OneEpochData::test_count}});
  const DatasetContents contents = dataset->load(events);
  double sum = 0, sum_sq = 0, n = 0;
  for (const Sample& s : contents.splits.at("train")) {
    cv::Mat gray = s.image;
    if (gray.channels() == 3) cv::cvtColor(s.image, gray, cv::COLOR_BGR2GRAY);
    for (int y = 0; y < gray.rows; ++y)
      for (int x = 0; x < gray.cols; ++x) {
        const double v = gray.at<unsigned char>(y, x);
        sum += v, sum_sq += v * v, n += 1;
      }
  }
  const double mean = sum / n;
  return {mean, std::sqrt(sum_sq / n - mean * mean)};
}

TEST(FittedPreprocessing, PredictionAppliesTheTrainSplitStatistics) {
  const ferlab::testing_support::TempDir temp_dir("fitted");
  const fs::path dir = temp_dir.path();
  std::ofstream(dir / "spec.yaml") << one_epoch_spec(
      "fitted-preprocessing",
      "  - {plugin: grayscale}\n"
      "  - {plugin: normalize, mode: dataset, target_mean: 128, target_std: 48}\n");
  const std::string db = (dir / "runs.db").string();
  for (int run = 1; run <= 2; ++run) {
    auto r = run_ferlab("run " + (dir / "spec.yaml").string() + " --db " + db + " --threads 1");
    ASSERT_EQ(r.status, 0) << r.err;
    if (run == 2) {
      ASSERT_THAT(r.err, HasSubstr("read from the cache")) << "run 2 must not fit";
    }
    r = run_ferlab(fmt::format("export --model {} --db {} --onnx {}", run, db,
                               (dir / fmt::format("model-{}.onnx", run)).string()));
    ASSERT_EQ(r.status, 0) << r.err;
  }
  const std::vector<cv::Mat> faces = detectable_faces(1);
  ASSERT_EQ(faces.size(), 1u) << "the cascade found no synthetic face";
  const cv::Mat scene = scene_with(faces, {{200, 100}});
  const fs::path image = dir / "face.png";
  cv::imwrite(image.string(), scene);

  // Pixels the way normalize stores them: target_mean + target_std * z, on 8 bits.
  const auto [mean, sd] = train_statistics();
  const double gain = 48.0 / std::max(sd, 1.0);
  for (int run = 1; run <= 2; ++run) {
    auto r = run_ferlab(
        fmt::format("predict --model {} --db {} --threads 1 {}", run, db, image.string()));
    ASSERT_EQ(r.status, 0) << r.err;
    const std::vector<json> lines = json_lines(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    cv::Mat face;
    cv::cvtColor(scene(line_box(lines[0])), face, cv::COLOR_BGR2GRAY);
    face.convertTo(face, CV_8U, gain, 128 - gain * mean);
    const std::vector<float> expected =
        onnx_probabilities(dir / fmt::format("model-{}.onnx", run), face);
    const std::vector<float> got = line_probabilities(lines[0]);
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t c = 0; c < got.size(); ++c)
      EXPECT_NEAR(got[c], expected[c], 1e-4) << "run " << run << ", class " << c;

    // For other runtimes: normalize is step 1 (from 0), its state "mean std".
    onnx::ModelProto proto;
    std::ifstream in(dir / fmt::format("model-{}.onnx", run), std::ios::binary);
    ASSERT_TRUE(proto.ParseFromIstream(&in));
    std::map<std::string, std::string> metadata;
    for (const auto& e : proto.metadata_props()) metadata[e.key()] = e.value();
    EXPECT_EQ(metadata.count("preprocess.0.state"), 0u);  // grayscale learns nothing
    std::istringstream state(metadata["preprocess.1.state"]);
    double stored_mean = 0, stored_sd = 0;
    ASSERT_TRUE(state >> stored_mean >> stored_sd) << metadata["preprocess.1.state"];
    EXPECT_NEAR(stored_mean, mean, 1e-9 * mean);
    EXPECT_NEAR(stored_sd, sd, 1e-9 * sd);
  }
}

}  // namespace
}  // namespace ferlab::test
