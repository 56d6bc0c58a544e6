#include "predict/annotated_output.hpp"

#include <stdexcept>

namespace ferlab::predict {
namespace fs = std::filesystem;

AnnotatedOutput::AnnotatedOutput(fs::path folder) : folder_(std::move(folder)) {
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error || !fs::is_directory(folder_))
    throw std::runtime_error(folder_.string() + ": cannot create the output folder");
}

void AnnotatedOutput::begin(const Input& input, double fps) {
  video_ = input.kind != Input::Kind::image;
  fps_ = fps > 0 && fps < 1000 ? fps : 25.0;  // cameras often report 0
  const std::string stem = input.kind == Input::Kind::camera
                               ? "camera" + std::to_string(input.camera)
                               : input.path.stem().string();
  const std::string ext = video_ ? ".avi" : input.path.extension().string();
  std::string name = stem + ext;
  for (int n = 2; used_.count(name); ++n) name = stem + "-" + std::to_string(n) + ext;
  used_.insert(name);
  file_ = folder_ / name;
  writer_.reset();
}

void AnnotatedOutput::write(const cv::Mat& frame) {
  if (!video_) {
    if (!media::write_image(file_, frame))
      throw std::runtime_error(file_.string() + ": cannot write the annotated image");
    return;
  }
  if (!writer_) {
    writer_ = media::create_mjpeg_video(file_, fps_, frame.size());
    if (!writer_) throw std::runtime_error(file_.string() + ": cannot write the annotated video");
  }
  writer_->write(frame);
}

void AnnotatedOutput::end() { writer_.reset(); }

}  // namespace ferlab::predict
