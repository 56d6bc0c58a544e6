// Shared by the `ferlab predict` tests: frames with synthetic faces OpenCV's cascade finds, the
// command's JSON lines, and the independent reference (the model exported to ONNX, run by
// OpenCV DNN on a crop the test preprocessed by hand).
#pragma once

#include <cstdint>
#include <ferlab/cascades.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../data/plugin_fixture.hpp"

namespace ferlab::test {

using json = nlohmann::ordered_json;  // keeps the model's class order

// The synthetic-faces dataset one_epoch_spec trains on (tests recompute its statistics).
struct OneEpochData {
  static constexpr std::int64_t seed = 5, train_count = 140, val_count = 35, test_count = 35;
};

// A one-epoch spec on OneEpochData with a small CNN, `preprocess` being the YAML list items of
// its chain ("  - {plugin: grayscale}\n...").
inline std::string one_epoch_spec(const std::string& name, const std::string& preprocess) {
  using D = OneEpochData;
  return "name: " + name +
         "\nseeds: [1]\ndataset: {plugin: synthetic-faces, seed: " + std::to_string(D::seed) +
         ", train_count: " + std::to_string(D::train_count) +
         ", val_count: " + std::to_string(D::val_count) +
         ", test_count: " + std::to_string(D::test_count) + "}\npreprocess:\n" + preprocess +
         R"(model:
  layers:
    - {type: convolution, filters: 6, kernel: 3, padding: 1}
    - {type: relu}
    - {type: max-pool, kernel: 4}
    - {type: flatten}
    - {type: dense, units: 7}
train: {epochs: 1, batch: 16, optimizer: {name: adam, lr: 0.002}}
evaluate: {splits: [val]}
)";
}

inline std::vector<json> json_lines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

// Clean synthetic faces, 150 px, that OpenCV's own frontal-face cascade finds on a dark frame.
inline std::vector<cv::Mat> detectable_faces(std::size_t wanted) {
  cv::CascadeClassifier cascade(ferlab::cascades::locate("haarcascade_frontalface_default.xml"));
  std::vector<cv::Mat> faces;
  for (const Sample& s : clean_synthetic_faces(150, 28)) {
    cv::Mat gray = s.image;
    if (gray.channels() == 3) cv::cvtColor(s.image, gray, cv::COLOR_BGR2GRAY);
    cv::Mat frame(300, 300, CV_8UC1, cv::Scalar(20));
    gray.copyTo(frame(cv::Rect(75, 75, 150, 150)));
    std::vector<cv::Rect> found;
    cascade.detectMultiScale(frame, found, 1.1, 5, 0, cv::Size(40, 40));
    if (found.size() == 1) faces.push_back(gray);
    if (faces.size() == wanted) break;
  }
  return faces;
}

// A 640x480 BGR frame with each gray face pasted at its top-left corner.
inline cv::Mat scene_with(const std::vector<cv::Mat>& faces, const std::vector<cv::Point>& at) {
  cv::Mat scene(480, 640, CV_8UC3, cv::Scalar(30, 25, 20));
  for (std::size_t i = 0; i < faces.size(); ++i) {
    cv::Mat bgr;
    cv::cvtColor(faces[i], bgr, cv::COLOR_GRAY2BGR);
    bgr.copyTo(scene(cv::Rect(at[i], bgr.size())));
  }
  return scene;
}

// OpenCV DNN's class probabilities for one preprocessed 8-bit gray crop, resized to 48x48 as
// ferlab resizes it, through the exported graph.
inline std::vector<float> onnx_probabilities(const std::filesystem::path& model, cv::Mat face) {
  cv::resize(face, face, cv::Size(48, 48), 0, 0, cv::INTER_AREA);
  face.convertTo(face, CV_32F, 1.0 / 255);
  cv::dnn::Net net = cv::dnn::readNetFromONNX(model.string());
  net.setInput(cv::dnn::blobFromImage(face), "input");
  cv::Mat p = net.forward("probabilities");
  return {p.ptr<float>(), p.ptr<float>() + p.total()};
}

// The probabilities a JSON line gives, in the model's class order.
inline std::vector<float> line_probabilities(const json& line) {
  std::vector<float> got;
  for (const auto& [name, p] : line.at("probabilities").items()) got.push_back(p.get<float>());
  return got;
}

inline cv::Rect line_box(const json& line) {
  const auto& b = line.at("box");
  return {b[0], b[1], b[2], b[3]};
}

}  // namespace ferlab::test
