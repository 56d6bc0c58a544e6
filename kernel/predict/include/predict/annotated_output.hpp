// Where `ferlab predict --out DIR` puts the annotated frames: an image beside its name
// (DIR/photo.jpg), a video or camera as a Motion-JPEG AVI (DIR/clip.avi, DIR/camera0.avi), which
// every OpenCV build can write and read back.
#pragma once

#include <ferlab/media.hpp>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "predict/frame_source.hpp"

namespace ferlab::predict {

class AnnotatedOutput {
 public:
  explicit AnnotatedOutput(std::filesystem::path folder);  // creates the folder
  void begin(const Input& input, double fps);  // picks the file name, unique in this run
  void write(const cv::Mat& frame);            // throws naming the file if it cannot be written
  void end();                                  // closes the video

 private:
  std::filesystem::path folder_, file_;
  std::set<std::string> used_;
  bool video_ = false;
  double fps_ = 0;
  std::unique_ptr<media::VideoWriter> writer_;
};

}  // namespace ferlab::predict
