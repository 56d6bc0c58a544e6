// The per-frame pipeline of `ferlab predict`: find every face, run the model's own
// preprocessing chain and network on the crops (one batch), follow faces across frames and
// smooth their probabilities.
#pragma once

#include <optional>

#include "predict/face_detector.hpp"
#include "predict/face_prediction.hpp"
#include "predict/face_tracker.hpp"
#include "predict/model_bundle.hpp"

namespace ferlab::predict {

class Predictor {
 public:
  Predictor(ModelBundle& model, DetectorOptions detector, int smooth_window);
  std::vector<FacePrediction> run(const cv::Mat& frame);
  void start_input();  // a new image or video: no face carries over from the last one

 private:
  ModelBundle& model_;
  FaceDetector detector_;
  int window_;
  std::optional<FaceTracker> tracker_;
};

}  // namespace ferlab::predict
