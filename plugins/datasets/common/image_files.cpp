#include "image_files.hpp"

#include <algorithm>
#include <fstream>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>

#include "image_header.hpp"
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

// The file's bytes; empty, with `problem` and its event `code` set, when the file cannot be
// read or is larger than ImageLimits::file_bytes.
std::vector<unsigned char> read_file(const fs::path& file, std::string& code,
                                     std::string& problem) {
  std::error_code error;
  std::uintmax_t size = fs::file_size(file, error);
  code = "corrupt-image";
  if (error) {
    problem = "cannot be read (" + error.message() + ")";
    return {};
  }
  if (size > ImageLimits::file_bytes) {
    code = "too-large-image";
    problem = std::to_string(size) + " bytes, more than the limit of " +
              std::to_string(ImageLimits::file_bytes);
    return {};
  }
  std::vector<unsigned char> bytes(size);
  std::ifstream in(file, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    problem = "cannot be read";
    return {};
  }
  return bytes;
}

// One file decoded, or empty after a warning naming it (`name`).
cv::Mat decode_one(const fs::path& file, const std::string& name, bool color,
                   ferlab::EventSink& events) {
  std::string code, problem;
  std::vector<unsigned char> bytes = read_file(file, code, problem);
  if (!problem.empty()) {
    events.warn(code, name + ": " + problem + ", skipped");
    return {};
  }
  ImageHeader header = read_image_header(bytes);
  if (!header.problem.empty()) {
    std::string what =
        header.format.empty() ? header.problem : header.format + ": " + header.problem;
    events.warn("corrupt-image", name + ": cannot be decoded as an image (" + what + "), skipped");
    return {};
  }
  if (header.width > ImageLimits::pixels || header.height > ImageLimits::pixels ||
      header.width * header.height > ImageLimits::pixels) {  // no overflow: each is < 2^32
    events.warn("too-large-image",
                name + ": " + std::to_string(header.width) + " x " + std::to_string(header.height) +
                    " pixels, more than the limit of " + std::to_string(ImageLimits::pixels) +
                    " (" + std::to_string(ImageLimits::side) + " x " +
                    std::to_string(ImageLimits::side) + "), skipped");
    return {};
  }
  if (!header.complete) {
    events.warn("truncated-image",
                name + ": truncated " + header.format +
                    " (the file ends before the image does), skipped rather than decoded in part");
    return {};
  }
  cv::Mat raw;
  try {
    raw = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception&) {
    // An exception from a decoder is a corrupt file too.
  }
  cv::Mat image = raw.empty() ? cv::Mat() : to_8bit(raw, color);
  if (image.empty())
    events.warn("corrupt-image", name + ": cannot be decoded as an image, skipped");
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
