// One face found in one frame and what the model says about it.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace ferlab::predict {

struct FacePrediction {
  cv::Rect box;                      // in frame pixels
  int track = 0;                     // the same face in later frames keeps its number
  std::vector<float> probabilities;  // this frame's, one per class
  std::vector<float> smoothed;       // mean over the track's last N frames (N = 1: the same)
  int label = 0;                     // argmax of `smoothed`
};

}  // namespace ferlab::predict
