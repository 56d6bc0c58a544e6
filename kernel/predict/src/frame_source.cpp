#include "predict/frame_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ferlab/image_header.hpp>
#include <opencv2/imgcodecs.hpp>  // cv::IMREAD_COLOR only: decoding is ferlab/media.hpp's
#include <set>
#include <stdexcept>

namespace ferlab::predict {
namespace fs = std::filesystem;
namespace {

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool is_image_file(const fs::path& path) {
  static const std::set<std::string> extensions = {".png", ".jpg", ".jpeg", ".bmp", ".pgm",
                                                   ".ppm", ".tif", ".tiff", ".webp"};
  return extensions.count(lower_extension(path)) > 0;
}

bool is_video_file(const fs::path& path) {
  static const std::set<std::string> extensions = {".avi", ".mp4",  ".mkv", ".mov", ".webm",
                                                   ".mpg", ".mpeg", ".m4v", ".wmv"};
  return extensions.count(lower_extension(path)) > 0;
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

ExpandedInputs expand_inputs(const std::vector<std::string>& arguments) {
  ExpandedInputs out;
  for (const std::string& arg : arguments) {
    if (arg.rfind("camera:", 0) == 0) {
      const std::string number = arg.substr(7);
      if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) {
        out.problems.push_back(
            {arg, arg + ": expected camera:N with N a camera number, e.g. camera:0"});
        continue;
      }
      out.inputs.push_back({Input::Kind::camera, arg, {}, std::stoi(number)});
    } else if (fs::is_directory(arg)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(arg))
        if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      if (files.empty()) out.problems.push_back({arg, arg + ": the folder holds no image files"});
      for (const fs::path& f : files) out.inputs.push_back({Input::Kind::image, f.string(), f});
    } else if (!fs::exists(arg)) {
      out.problems.push_back({arg, arg + ": no such file or folder"});
    } else {
      const auto kind = is_video_file(arg) ? Input::Kind::video : Input::Kind::image;
      out.inputs.push_back({kind, arg, arg});
    }
  }
  return out;
}

FrameReader::FrameReader(const Input& input) : input_(input) {
  if (input.kind == Input::Kind::image) {
    // Under the same bounds as datasets' images: size, pixels, a complete file.
    ferlab::ImageRead read = ferlab::read_image_file(input.path, cv::IMREAD_COLOR);
    if (read.image.empty()) throw std::runtime_error(input.name + ": " + read.problem);
    first_ = std::move(read.image);
    return;
  }
  video_ = input.kind == Input::Kind::camera ? media::open_camera(input.camera)
                                             : media::open_video(input.path);
  if (!video_)
    throw std::runtime_error(input.name + (input.kind == Input::Kind::camera
                                               ? ": cannot open the camera"
                                               : ": cannot open it as a video"));
  fps_ = video_->fps();
  started_ms_ = now_ms();
  if (!video_->read(first_) || first_.empty())
    throw std::runtime_error(input.name + ": the video gives no frame (unsupported or corrupt)");
}

bool FrameReader::next(Frame& frame) {
  if (!first_.empty()) {
    frame.image = std::move(first_);
    first_.release();
  } else if (!video_ || !video_->read(frame.image) || frame.image.empty()) {
    return false;
  }
  frame.index = index_++;
  if (input_.kind == Input::Kind::video) {
    frame.time_ms = fps_ > 0 ? 1000.0 * static_cast<double>(frame.index) / fps_ : 0.0;
  } else if (input_.kind == Input::Kind::camera) {
    frame.time_ms = now_ms() - started_ms_;
  }
  return true;
}

}  // namespace ferlab::predict
