// Follows faces from frame to frame by box overlap and averages each face's class
// probabilities over its last N frames, so a live label does not flicker.
#pragma once

#include <deque>
#include <opencv2/core.hpp>
#include <vector>

namespace ferlab::predict {

struct TrackedFace {
  int track = 0;                // stable id while the face stays in view
  std::vector<float> smoothed;  // mean probabilities over the track's last `window` frames
};

class FaceTracker {
 public:
  // window = frames averaged (1: no smoothing); a track unseen for more than `patience`
  // frames is forgotten; boxes overlapping by at least `min_iou` are the same face.
  explicit FaceTracker(int window, int patience = 5, double min_iou = 0.3);

  // One frame's detections and their probabilities, in the same order; returns one entry per
  // detection.
  std::vector<TrackedFace> update(const std::vector<cv::Rect>& boxes,
                                  const std::vector<std::vector<float>>& probabilities);

 private:
  struct Track {
    int id;
    cv::Rect box;
    int missed = 0;
    std::deque<std::vector<float>> history;
  };
  int window_, patience_;
  double min_iou_;
  int next_id_ = 1;
  std::vector<Track> tracks_;
};

double iou(const cv::Rect& a, const cv::Rect& b);

}  // namespace ferlab::predict
