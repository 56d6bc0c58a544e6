// Every face in a frame, found by an OpenCV Haar cascade (Debian's opencv-data).
#pragma once

#include <ferlab/cascades.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace ferlab::predict {

struct DetectorOptions {
  std::string cascade = "haarcascade_frontalface_default.xml";
  double scale_factor = 1.1;
  int min_neighbors = 5;
  int min_face = 48;  // smallest face side searched for, in frame pixels (FER inputs are 48)
  // Frames wider than this are searched at this width (boxes are mapped back): the cascade's
  // cost grows with the pixel count and faces worth classifying stay well above min_face.
  int detect_width = 320;
};

class FaceDetector {
 public:
  explicit FaceDetector(DetectorOptions options = {});
  // Boxes in frame coordinates, left to right then top to bottom, clipped to the frame.
  std::vector<cv::Rect> detect(const cv::Mat& frame);

 private:
  DetectorOptions options_;
  cascades::Pool pool_;
};

}  // namespace ferlab::predict
