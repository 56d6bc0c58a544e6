#include "image_files.hpp"

#include <algorithm>
#include <ferlab/image_header.hpp>
#include <fstream>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>

#include "labels.hpp"

namespace datasets {
namespace fs = std::filesystem;

std::vector<fs::path> list_images(const fs::path& dir, bool recursive) {
  static const std::set<std::string> extensions = {"png",  "jpg", "jpeg", "bmp", "tif",
                                                   "tiff", "pgm", "ppm",  "webp"};
  std::vector<fs::path> files;
  auto consider = [&](const fs::directory_entry& entry) {
    if (entry.is_regular_file() && extensions.count(simplify(entry.path().extension().string())))
      files.push_back(entry.path());
  };
  if (recursive) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) consider(entry);
  } else {
    for (const auto& entry : fs::directory_iterator(dir)) consider(entry);
  }
  std::sort(files.begin(), files.end());  // directory order differs between file systems
  return files;
}

cv::Mat to_8bit(const cv::Mat& image, bool color) {
  cv::Mat eight;
  if (image.depth() == CV_8U)
    eight = image;
  else if (image.depth() == CV_16U)
    image.convertTo(eight, CV_8U, 1.0 / 257);
  else if (image.depth() == CV_32F || image.depth() == CV_64F)
    image.convertTo(eight, CV_8U, 255);
  else
    image.convertTo(eight, CV_8U);
  cv::Mat out;
  switch (eight.channels() * 2 + (color ? 1 : 0)) {
    case 2:
      out = eight;
      break;  // gray -> gray
    case 3:
      cv::cvtColor(eight, out, cv::COLOR_GRAY2BGR);
      break;  // gray -> colour
    case 6:
      cv::cvtColor(eight, out, cv::COLOR_BGR2GRAY);
      break;  // colour -> gray
    case 7:
      out = eight;
      break;  // colour -> colour
    case 8:
      cv::cvtColor(eight, out, cv::COLOR_BGRA2GRAY);
      break;  // with alpha -> gray
    case 9:
      cv::cvtColor(eight, out, cv::COLOR_BGRA2BGR);
      break;  // with alpha -> colour
    default:
      return {};
  }
  return out;
}

namespace {

// One file decoded, or empty after a warning naming it (`name`).
cv::Mat decode_one(const fs::path& file, const std::string& name, bool color,
                   ferlab::EventSink& events) {
  ferlab::ImageRead read = ferlab::read_image_file(file, cv::IMREAD_UNCHANGED);
  cv::Mat image = read.image.empty() ? cv::Mat() : to_8bit(read.image, color);
  if (!read.image.empty() && image.empty())
    read = {{}, "corrupt-image", "cannot be decoded as an image"};
  if (image.empty()) {
    const bool truncated = read.code == "truncated-image";
    events.warn(read.code, name + ": " + read.problem +
                               (truncated ? ", skipped rather than decoded in part" : ", skipped"));
  }
  return image;
}

}  // namespace

std::vector<cv::Mat> decode_images(const std::vector<fs::path>& files, bool color,
                                   const fs::path& root, ferlab::EventSink& events) {
  std::vector<cv::Mat> images(files.size());
  cv::parallel_for_(cv::Range(0, static_cast<int>(files.size())), [&](const cv::Range& r) {
    for (int i = r.start; i < r.end; ++i)
      images[i] = decode_one(files[i], fs::relative(files[i], root).string(), color, events);
  });
  return images;
}

}  // namespace datasets
