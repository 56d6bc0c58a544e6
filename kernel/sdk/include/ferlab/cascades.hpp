// Haar cascades from Debian's opencv-data, shared safely between threads: used by the face-crop
// and align preprocessors and by `ferlab predict`. Header-only; a plugin that includes it links
// opencv_objdetect.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <opencv2/objdetect.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace ferlab::cascades {

// Finds a cascade file: an explicit path as given, a bare name in the usual data folders.
inline std::string locate(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  for (const char* dir : {"/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades",
                          "/usr/local/share/opencv4/haarcascades"}) {
    std::string path = std::string(dir) + "/" + name;
    if (std::filesystem::exists(path)) return path;
  }
  throw std::invalid_argument("Haar cascade '" + name +
                              "' not found (is Debian's opencv-data installed?)");
}

// cv::CascadeClassifier keeps scratch state during detection, so concurrent callers each
// borrow their own instance; instances are loaded on demand and reused.
class Pool {
 public:
  explicit Pool(const std::string& name) : path_(locate(name)) { give_back(load()); }

  std::unique_ptr<cv::CascadeClassifier> borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        auto c = std::move(free_.back());
        free_.pop_back();
        return c;
      }
    }
    return load();
  }
  void give_back(std::unique_ptr<cv::CascadeClassifier> c) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(c));
  }

  // Detections in a gray image, borrowing an instance for the call.
  std::vector<cv::Rect> detect(const cv::Mat& gray, double scale_factor, int min_neighbors,
                               cv::Size min_size) {
    auto c = borrow();
    std::vector<cv::Rect> found;
    c->detectMultiScale(gray, found, scale_factor, min_neighbors, 0, min_size);
    give_back(std::move(c));
    return found;
  }

 private:
  std::unique_ptr<cv::CascadeClassifier> load() const {
    auto c = std::make_unique<cv::CascadeClassifier>();
    if (!c->load(path_)) throw std::invalid_argument("cannot read Haar cascade " + path_);
    return c;
  }

  std::string path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<cv::CascadeClassifier>> free_;
};

}  // namespace ferlab::cascades
