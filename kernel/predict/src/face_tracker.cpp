#include "predict/face_tracker.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace ferlab::predict {

double iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

FaceTracker::FaceTracker(int window, int patience, double min_iou)
    : window_(window), patience_(patience), min_iou_(min_iou) {
  if (window < 1) throw std::invalid_argument("smoothing window must be at least 1 frame");
}

std::vector<TrackedFace> FaceTracker::update(const std::vector<cv::Rect>& boxes,
                                             const std::vector<std::vector<float>>& probabilities) {
  // Greedy matching, best overlap first: enough for the few faces of a frame.
  std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
  for (std::size_t d = 0; d < boxes.size(); ++d)
    for (std::size_t t = 0; t < tracks_.size(); ++t)
      if (double o = iou(boxes[d], tracks_[t].box); o >= min_iou_) pairs.emplace_back(o, d, t);
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::vector<int> track_of(boxes.size(), -1);
  std::vector<bool> taken(tracks_.size(), false);
  for (const auto& [overlap, d, t] : pairs)
    if (track_of[d] < 0 && !taken[t]) {
      track_of[d] = static_cast<int>(t);
      taken[t] = true;
    }
  for (std::size_t t = 0; t < tracks_.size(); ++t)
    if (!taken[t]) ++tracks_[t].missed;
  for (std::size_t d = 0; d < boxes.size(); ++d)
    if (track_of[d] < 0) {
      track_of[d] = static_cast<int>(tracks_.size());
      tracks_.push_back({next_id_++, boxes[d], 0, {}});
    }

  std::vector<TrackedFace> out(boxes.size());
  for (std::size_t d = 0; d < boxes.size(); ++d) {
    Track& track = tracks_[static_cast<std::size_t>(track_of[d])];
    track.box = boxes[d];
    track.missed = 0;
    track.history.push_back(probabilities.at(d));
    if (static_cast<int>(track.history.size()) > window_) track.history.pop_front();
    std::vector<float> mean(probabilities[d].size(), 0.f);
    for (const auto& p : track.history)
      for (std::size_t c = 0; c < mean.size(); ++c) mean[c] += p[c];
    for (float& m : mean) m /= static_cast<float>(track.history.size());
    out[d] = {track.id, std::move(mean)};
  }
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(),
                               [&](const Track& t) { return t.missed > patience_; }),
                tracks_.end());
  return out;
}

}  // namespace ferlab::predict
