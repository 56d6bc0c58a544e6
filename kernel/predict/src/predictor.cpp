#include "predict/predictor.hpp"

#include <algorithm>

namespace ferlab::predict {

const char* to_string(FaceMode mode) { return mode == FaceMode::detect ? "detect" : "whole-image"; }

Predictor::Predictor(assembly::ModelSet& model, DetectorOptions detector, int smooth_window,
                     FaceMode mode)
    : model_(model), mode_(mode), detector_(std::move(detector)), window_(smooth_window) {
  start_input();
}

void Predictor::start_input() { tracker_.emplace(window_); }

std::vector<FacePrediction> Predictor::run(const cv::Mat& frame) {
  const std::vector<cv::Rect> boxes = mode_ == FaceMode::detect
                                          ? detector_.detect(frame)
                                          : std::vector<cv::Rect>{{0, 0, frame.cols, frame.rows}};
  std::vector<cv::Mat> crops;
  crops.reserve(boxes.size());
  for (const cv::Rect& box : boxes) crops.push_back(frame(box));
  const std::vector<std::vector<float>> probabilities = model_.classify(crops);
  const std::vector<TrackedFace> tracked = tracker_->update(boxes, probabilities);
  std::vector<FacePrediction> faces(boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    FacePrediction& f = faces[i];
    f.box = boxes[i];
    f.track = tracked[i].track;
    f.probabilities = probabilities[i];
    f.smoothed = tracked[i].smoothed;
    f.label = static_cast<int>(std::max_element(f.smoothed.begin(), f.smoothed.end()) -
                               f.smoothed.begin());
  }
  return faces;
}

}  // namespace ferlab::predict
