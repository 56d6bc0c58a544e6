// What `ferlab predict` reads: image files, folders of images, video files and cameras, one
// frame at a time with its index and time stamp.
#pragma once

#include <ferlab/media.hpp>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace ferlab::predict {

struct Input {
  enum class Kind { image, video, camera };
  Kind kind = Kind::image;
  std::string name;  // as reported: the path, or camera:N
  std::filesystem::path path;
  int camera = -1;
};

struct ExpandedInputs {
  std::vector<Input> inputs;
  struct Problem {
    std::string argument, why;  // why: "<argument>: what is wrong", as reported
  };
  std::vector<Problem> problems;  // arguments that name nothing readable
};

// Folders give their image files (sorted by name, not recursive); `camera:N` opens camera N;
// video files are recognised by their extension, everything else is read as an image.
ExpandedInputs expand_inputs(const std::vector<std::string>& arguments);

struct Frame {
  cv::Mat image;  // BGR
  long index = 0;
  double time_ms = 0;  // position in the video; since opening for a camera; 0 for an image
};

class FrameReader {
 public:
  // Throws std::runtime_error naming the input when it cannot be opened or decoded.
  explicit FrameReader(const Input& input);
  bool next(Frame& frame);             // false at the end
  double fps() const { return fps_; }  // the source's frame rate (0 when unknown or an image)

 private:
  Input input_;
  std::unique_ptr<media::VideoReader> video_;  // a video file or camera
  cv::Mat first_;  // an image, or a video's first frame read to prove it decodes
  long index_ = 0;
  double fps_ = 0;
  double started_ms_ = 0;
};

}  // namespace ferlab::predict
