// `ferlab predict` as a user runs it, with a model trained for one epoch on synthetic faces:
// faces drawn into larger frames are found, each gets a well-formed JSON line whose
// probabilities match an independent path (the model exported to ONNX and run by OpenCV DNN on
// the crop, preprocessed by hand: gray, histogram equalisation, resize); folders, videos
// written with OpenCV's VideoWriter, frames without faces, unreadable files and bad
// checkpoints behave as documented.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <optional>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "predict_scenes.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

namespace ferlab::test {
namespace {

using testing_support::run_ferlab;

class PredictCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_.emplace("predict");
    dir_ = temp_->path();
    std::ofstream(dir_ / "spec.yaml")
        << one_epoch_spec("predict-cli", "  - {plugin: grayscale}\n  - {plugin: hist-eq}\n");
    db_ = (dir_ / "runs.db").string();
    auto r = run_ferlab("run " + (dir_ / "spec.yaml").string() + " --db " + db_ + " --threads 1");
    ASSERT_EQ(r.status, 0) << r.err;
    r = run_ferlab("export --model 1 --db " + db_ + " --onnx " + (dir_ / "model.onnx").string());
    ASSERT_EQ(r.status, 0) << r.err;
    faces_ = detectable_faces(3);
    ASSERT_EQ(faces_.size(), 3u) << "the cascade found too few synthetic faces";
  }
  static void TearDownTestSuite() { temp_.reset(); }

  static testing_support::CommandOutput predict(const std::string& args) {
    return run_ferlab("predict --model 1 --db " + db_ + " --threads 1 " + args);
  }

  // The reference: OpenCV DNN on the exported graph, the chain done by hand on the crop.
  static std::vector<float> reference(const cv::Mat& frame, const cv::Rect& box) {
    cv::Mat face;
    cv::cvtColor(frame(box), face, cv::COLOR_BGR2GRAY);
    cv::equalizeHist(face, face);
    return onnx_probabilities(dir_ / "model.onnx", face);
  }

  static void expect_probabilities_match(const json& line, const cv::Mat& frame) {
    const std::vector<float> expected = reference(frame, line_box(line));
    const std::vector<float> got = line_probabilities(line);
    ASSERT_EQ(got.size(), expected.size());
    float best = 0, sum = 0;
    for (float p : got) sum += p, best = std::max(best, p);
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_FLOAT_EQ(line.at("confidence").get<float>(), best);
    EXPECT_FLOAT_EQ(line.at("probabilities").at(line.at("label").get<std::string>()).get<float>(),
                    best);
    for (std::size_t c = 0; c < got.size(); ++c)
      EXPECT_NEAR(got[c], expected[c], 1e-4) << "class " << c;
  }

  static inline std::optional<ferlab::testing_support::TempDir> temp_;
  static inline fs::path dir_;
  static inline std::string db_;
  static inline std::vector<cv::Mat> faces_;
};

TEST_F(PredictCli, FindsEveryFaceInAnImageAndAnnotatesIt) {
  const std::vector<cv::Point> at = {{40, 160}, {420, 60}};
  const cv::Mat scene = scene_with({faces_[0], faces_[1]}, at);
  const fs::path image = dir_ / "two.png", out = dir_ / "annotated";
  cv::imwrite(image.string(), scene);
  auto r = predict(image.string() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::vector<json> lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (std::size_t i = 0; i < 2; ++i) {
    const json& line = lines[i];
    EXPECT_EQ(line.at("input"), image.string());
    EXPECT_EQ(line.at("frame"), 0);
    EXPECT_EQ(line.at("faces"), 2);
    EXPECT_EQ(line.at("face"), i);
    const auto& b = line.at("box");
    const cv::Point centre(b[0].get<int>() + b[2].get<int>() / 2,
                           b[1].get<int>() + b[3].get<int>() / 2);
    EXPECT_NEAR(centre.x, at[i].x + 75, 25) << line;  // listed left to right
    EXPECT_NEAR(centre.y, at[i].y + 75, 25) << line;
    expect_probabilities_match(line, scene);
  }
  const cv::Mat annotated = cv::imread((out / "two.png").string());
  ASSERT_EQ(annotated.size(), scene.size());
  EXPECT_GT(cv::norm(annotated, scene, cv::NORM_L1), 0) << "nothing was drawn";
  EXPECT_THAT(r.err, HasSubstr("1 frame, 2 faces"));
}

TEST_F(PredictCli, FolderWithAFacelessImageAndAnUnreadableFile) {
  const fs::path folder = dir_ / "folder";
  fs::create_directories(folder);
  cv::imwrite((folder / "a-face.png").string(), scene_with({faces_[2]}, {{200, 100}}));
  cv::imwrite((folder / "b-empty.png").string(),
              cv::Mat(240, 320, CV_8UC3, cv::Scalar(90, 90, 90)));
  std::ofstream(folder / "c-broken.jpg") << "not a JPEG at all";
  std::vector<unsigned char> jpeg;  // a JPEG cut in half: refused, not decoded in part
  cv::imencode(".jpg", scene_with({faces_[2]}, {{200, 100}}), jpeg);
  std::ofstream(folder / "d-truncated.jpg", std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()),
             static_cast<std::streamsize>(jpeg.size() / 2));
  std::ofstream(folder / "notes.txt") << "not an image: ignored";
  const fs::path json_file = dir_ / "folder.jsonl";
  auto r = predict(folder.string() + " --json " + json_file.string());
  EXPECT_EQ(r.status, 1) << "a skipped input fails the command, after the others are done";
  EXPECT_THAT(r.err, HasSubstr("c-broken.jpg: cannot be decoded as an image"));
  EXPECT_THAT(r.err, HasSubstr("d-truncated.jpg: truncated JPEG (the file ends before the image"));
  std::ifstream in(json_file);
  const std::vector<json> lines = json_lines({std::istreambuf_iterator<char>(in), {}});
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[0].at("input").get<std::string>(), HasSubstr("a-face.png"));
  EXPECT_EQ(lines[0].at("faces"), 1);
  EXPECT_THAT(lines[1].at("input").get<std::string>(), HasSubstr("b-empty.png"));
  EXPECT_EQ(lines[1].at("faces"), 0);
  EXPECT_FALSE(lines[1].contains("box"));
  EXPECT_THAT(lines[2].at("error").get<std::string>(), HasSubstr("c-broken.jpg"));
  EXPECT_THAT(lines[3].at("error").get<std::string>(), HasSubstr("d-truncated.jpg"));
}

TEST_F(PredictCli, VideoKeepsOneTrackAndSmoothsOverTheLastFrames) {
  const fs::path video = dir_ / "clip.avi", out = dir_ / "video-out";
  const int frames = 12, window = 4;
  const double fps = 10;
  {
    cv::VideoWriter writer(video.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps,
                           cv::Size(640, 480));
    ASSERT_TRUE(writer.isOpened());
    for (int f = 0; f < frames; ++f)
      writer.write(scene_with({faces_[f % 2]}, {{150 + 4 * f, 120}}));
  }
  auto r =
      predict(video.string() + " --smooth " + std::to_string(window) + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::vector<json> lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(frames)) << r.out;
  std::vector<json> history;
  for (int f = 0; f < frames; ++f) {
    const json& line = lines[static_cast<std::size_t>(f)];
    EXPECT_EQ(line.at("frame"), f);
    ASSERT_EQ(line.at("faces"), 1) << line;
    EXPECT_NEAR(line.at("time_ms").get<double>(), 1000.0 * f / fps, 1e-3);
    EXPECT_EQ(line.at("track"), lines[0].at("track")) << "frame " << f;
    history.push_back(line.at("frame_probabilities"));
    for (const auto& [name, smoothed] : line.at("probabilities").items()) {
      double sum = 0;
      const std::size_t from = history.size() > window ? history.size() - window : 0;
      for (std::size_t h = from; h < history.size(); ++h) sum += history[h].at(name).get<double>();
      EXPECT_NEAR(smoothed.get<double>(), sum / static_cast<double>(history.size() - from), 1e-6)
          << "frame " << f << " class " << name;
    }
  }
  // The faces alternate, so the frame's own probabilities differ from the smoothed ones.
  EXPECT_NE(lines[5].at("probabilities"), lines[5].at("frame_probabilities"));
  cv::VideoCapture annotated((out / "clip.avi").string());
  ASSERT_TRUE(annotated.isOpened());
  int read = 0;
  for (cv::Mat frame; annotated.read(frame);) {
    EXPECT_EQ(frame.size(), cv::Size(640, 480));
    ++read;
  }
  EXPECT_EQ(read, frames);
  r = predict(video.string() + " --max-frames 3");
  EXPECT_EQ(json_lines(r.out).size(), 3u);
}

// A file no video backend reads is refused without OpenCV's last resorts: gphoto2 takes a file
// name for a camera's and loads its port drivers to scan USB (half a second or more, and libusb's
// device list leaks), as the dynamic loader's trace shows.
TEST_F(PredictCli, AnUnreadableVideoIsNotHandedToCameraBackends) {
  const fs::path noise = dir_ / "noise.avi";
  std::ofstream(noise) << std::string(4096, 'x');
  auto r = testing_support::run_command("LD_DEBUG=files " FERLAB_CLI " predict --model 1 --db " +
                                        db_ + " --threads 1 " + noise.string());
  const auto traced = [&r](const std::string& text) {  // the trace is too long to print
    return r.out.find(text) != std::string::npos;
  };
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(traced("noise.avi: cannot open it as a video"));
  EXPECT_TRUE(traced("libopencv_videoio"));  // the trace is there
  EXPECT_FALSE(traced("libgphoto2_port/")) << "gphoto2 scanned for cameras";
}

TEST_F(PredictCli, BadModelsAndInputsAreRefusedClearly) {
  const fs::path garbage = dir_ / "garbage.ckpt";
  std::ofstream(garbage) << "this is not a checkpoint";
  auto r = run_ferlab("predict --model " + garbage.string() + " " + dir_.string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr(garbage.string()));
  r = run_ferlab("predict --model 7 --db " + db_ + " " + dir_.string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("run 7"));
  r = predict((dir_ / "missing.png").string() + " camera:x");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("missing.png: no such file or folder"));
  EXPECT_THAT(r.err, HasSubstr("camera:x: expected camera:N"));
  // Option values are checked before any model is loaded, saying what was expected.
  r = run_ferlab("predict --model 7 --db " + db_ + " --smooth 0 " + dir_.string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("--smooth: expected a number above 0, got '0'"));
  r = run_ferlab("predict --model 7 --db " + db_ + " --threads -2 " + dir_.string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("--threads: expected 0 or more, got '-2'"));
}

}  // namespace
}  // namespace ferlab::test
