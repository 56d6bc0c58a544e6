// ferlab-bench-predict: how fast `ferlab predict` runs on a 640x480 video with one face (issue
// 8): frames per second with decoding, face detection, the model's preprocessing and
// classification included, as `ferlab predict` does them; the detection alone per frame; and
// the classification of one face crop alone. Medians over rounds. The video is written here
// with OpenCV's VideoWriter (Motion-JPEG): a synthetic face moving over a still background.
// bench/run_predict_bench trains the models and runs it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <ferlab/dataset.hpp>
#include <ferlab/schema_check.hpp>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "assembly/model_set.hpp"
#include "engine/threads.hpp"
#include "predict/frame_source.hpp"
#include "predict/predictor.hpp"
#include "stats.hpp"

namespace {

namespace fs = std::filesystem;
using namespace ferlab;
using bench::median;
using bench::now_seconds;

// A clean synthetic face, 150 px, that the detector finds on its own.
cv::Mat face_image(const kernel::PluginCatalog& catalog, predict::FaceDetector& detector) {
  const kernel::PluginInfo& info = catalog.require(Kind::dataset, "synthetic-faces");
  std::vector<std::string> problems;
  const Params params = resolve_params(info.factory.schema,
                                       Params({{"size", std::int64_t{150}},
                                               {"train_count", std::int64_t{14}},
                                               {"val_count", std::int64_t{7}},
                                               {"test_count", std::int64_t{7}},
                                               {"max_rotation", 0.0},
                                               {"max_shift", 0.0},
                                               {"scale", std::vector<double>{1, 1}},
                                               {"lighting", 0.0},
                                               {"noise", 0.0},
                                               {"occlusion", 0.0}}),
                                       problems);
  if (!problems.empty()) throw std::runtime_error(problems.front());
  struct Quiet final : EventSink {
    void warn(const std::string&, const std::string&) override {}
    void count(const std::string&, long) override {}
  } events;
  const DatasetContents contents = catalog.create<Dataset>("synthetic-faces", params)->load(events);
  for (const Sample& s : contents.splits.at("train")) {
    cv::Mat bgr = s.image;
    if (bgr.channels() == 1) cv::cvtColor(s.image, bgr, cv::COLOR_GRAY2BGR);
    cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(40, 50, 60));
    bgr.copyTo(frame(cv::Rect(245, 165, 150, 150)));
    if (detector.detect(frame).size() == 1) return bgr;
  }
  throw std::runtime_error("no synthetic face was detected");
}

// The face drifts around the frame centre over a textured background.
void write_video(const fs::path& file, const cv::Mat& face, int frames) {
  cv::VideoWriter writer(file.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30,
                         cv::Size(640, 480));
  if (!writer.isOpened()) throw std::runtime_error(file.string() + ": cannot write the video");
  cv::Mat background(480, 640, CV_8UC3);
  cv::RNG rng(3);
  rng.fill(background, cv::RNG::UNIFORM, 30, 90);
  cv::GaussianBlur(background, background, cv::Size(9, 9), 3);
  for (int f = 0; f < frames; ++f) {
    cv::Mat frame = background.clone();
    const int x = 245 + static_cast<int>(120 * std::sin(f * 0.05));
    const int y = 165 + static_cast<int>(80 * std::cos(f * 0.04));
    face.copyTo(frame(cv::Rect(x, y, face.cols, face.rows)));
    writer.write(frame);
  }
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"ferlab-bench-predict: predict frames per second on a 640x480 video, one face"};
  std::string model_source;
  int frames = 300, rounds = 3, threads = 2;
  app.add_option("--model", model_source, "Checkpoint file or shipped model name")->required();
  app.add_option("--frames", frames, "Frames in the video")->capture_default_str();
  app.add_option("--rounds", rounds, "Passes over the video")->capture_default_str();
  app.add_option("--threads", threads, "Threads for the network")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  engine::set_threads(threads);
  kernel::LoadDiagnostics diagnostics;
  const auto catalog = kernel::PluginCatalog::load(kernel::plugin_search_path({}), diagnostics);
  assembly::ModelSet model = assembly::load_models(catalog, {model_source}, "");
  predict::FaceDetector detector;
  const fs::path video =
      fs::temp_directory_path() / fmt::format("ferlab-bench-predict-{}.avi", getpid());
  write_video(video, face_image(catalog, detector), frames);

  predict::Predictor predictor(model, {}, 1);
  std::vector<double> fps, detect_ms;
  long found = 0, seen = 0;
  for (int round = -1; round < rounds; ++round) {  // round -1 warms up
    predict::FrameReader reader({predict::Input::Kind::video, video.string(), video});
    predictor.start_input();
    predict::Frame frame;
    long count = 0;
    double aside = 0;  // time of the extra detections below, not part of the pipeline's
    const double start = now_seconds();
    while (reader.next(frame)) {
      const auto faces = predictor.run(frame.image);
      ++count;
      if (round >= 0) seen += 1, found += faces.size() == 1;
      if (round >= 0 && count % 10 == 0) {  // the detector alone, on every tenth frame
        const double t = now_seconds();
        detector.detect(frame.image);
        const double took = now_seconds() - t;
        detect_ms.push_back(1e3 * took);
        aside += took;
      }
    }
    const double seconds = now_seconds() - start - aside;
    if (round >= 0) fps.push_back(static_cast<double>(count) / seconds);
  }
  // One face crop classified alone: preprocessing chain and network, batch 1.
  predict::FrameReader reader({predict::Input::Kind::video, video.string(), video});
  predict::Frame frame;
  reader.next(frame);
  const cv::Mat crop = frame.image(detector.detect(frame.image).at(0)).clone();
  std::vector<double> classify_ms;
  for (int i = 0; i < 220; ++i) {
    const double t = now_seconds();
    model.classify({crop});
    if (i >= 20) classify_ms.push_back(1e3 * (now_seconds() - t));
  }
  fs::remove(video);
  const double fps_median = median(fps);
  fmt::print(
      "{{\"model\": \"{}\", \"threads\": {}, \"frames\": {}, \"rounds\": {}, \"fps\": {:.1f}, "
      "\"fps_min\": {:.1f}, \"fps_max\": {:.1f}, \"detect_ms\": {:.2f}, \"classify_ms\": {:.3f}, "
      "\"frames_with_one_face\": {:.3f}, \"input_shape\": \"{}x{}x{}\"}}\n",
      model_source, threads, frames, rounds, fps_median, *std::min_element(fps.begin(), fps.end()),
      *std::max_element(fps.begin(), fps.end()), median(detect_ms), median(classify_ms),
      static_cast<double>(found) / static_cast<double>(seen),
      model.members().front().shape.channels, model.members().front().shape.height,
      model.members().front().shape.width);
} catch (const std::exception& e) {
  fmt::print(stderr, "ferlab-bench-predict: {}\n", e.what());
  return 1;
}
