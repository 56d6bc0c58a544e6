// The per-frame pipeline of `ferlab predict`: find every face, run the model's own
// preprocessing chain and network on the crops (one batch), follow faces across frames and
// smooth their probabilities.
#pragma once

#include <optional>

#include "assembly/model_set.hpp"
#include "predict/face_detector.hpp"
#include "predict/face_prediction.hpp"
#include "predict/face_tracker.hpp"

namespace ferlab::predict {

// How faces are found in a frame: by the detector, or the whole image is one face crop (for
// folders of faces already cropped, such as FER2013's 48x48 images, where a detector finds
// none).
enum class FaceMode { detect, whole_image };

const char* to_string(FaceMode mode);  // "detect", "whole-image"

class Predictor {
 public:
  Predictor(assembly::ModelSet& model, DetectorOptions detector, int smooth_window,
            FaceMode mode = FaceMode::detect);
  std::vector<FacePrediction> run(const cv::Mat& frame);
  void start_input();  // a new image or video: no face carries over from the last one

 private:
  assembly::ModelSet& model_;
  FaceMode mode_;
  FaceDetector detector_;
  int window_;
  std::optional<FaceTracker> tracker_;
};

}  // namespace ferlab::predict
