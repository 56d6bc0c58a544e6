#include "predict/face_detector.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace ferlab::predict {

FaceDetector::FaceDetector(DetectorOptions options)
    : options_(std::move(options)), pool_(options_.cascade) {}

std::vector<cv::Rect> FaceDetector::detect(const cv::Mat& frame) {
  cv::Mat gray;
  if (frame.channels() == 3)
    cv::cvtColor(frame, gray, cv::COLOR_BGR2GRAY);
  else if (frame.channels() == 4)
    cv::cvtColor(frame, gray, cv::COLOR_BGRA2GRAY);
  else
    gray = frame;
  const double scale = frame.cols > options_.detect_width
                           ? static_cast<double>(options_.detect_width) / frame.cols
                           : 1.0;
  if (scale < 1.0) cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_AREA);
  const int min_side = std::max(12, static_cast<int>(options_.min_face * scale));
  std::vector<cv::Rect> found = pool_.detect(gray, options_.scale_factor, options_.min_neighbors,
                                             cv::Size(min_side, min_side));
  const cv::Rect whole(0, 0, frame.cols, frame.rows);
  for (cv::Rect& box : found) {
    box = cv::Rect(cvRound(box.x / scale), cvRound(box.y / scale), cvRound(box.width / scale),
                   cvRound(box.height / scale)) &
          whole;
  }
  found.erase(
      std::remove_if(found.begin(), found.end(), [](const cv::Rect& r) { return r.empty(); }),
      found.end());
  std::sort(found.begin(), found.end(), [](const cv::Rect& a, const cv::Rect& b) {
    return std::tie(a.x, a.y) < std::tie(b.x, b.y);
  });
  return found;
}

}  // namespace ferlab::predict
