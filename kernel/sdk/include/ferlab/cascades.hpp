// Haar cascades (OpenCV's data files), shared safely between threads: used by the face-crop and
// align preprocessors and by `ferlab predict`. Header-only; a plugin that includes it links
// opencv_objdetect. Cascades named without a folder are looked up in FERLAB_CASCADE_PATH
// (colon separated), then in the folder CMake found when the SDK was built
// (FERLAB_HAARCASCADES_DIR: Debian's opencv-data puts them in /usr/share/opencv4/haarcascades).
#pragma once

#include <ferlab/search_path.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <opencv2/objdetect.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace ferlab::cascades {

// The folders searched for a cascade named without one, in order.
inline std::vector<std::string> search_path() {
  std::vector<std::string> dirs = env_path_list("FERLAB_CASCADE_PATH");
#ifdef FERLAB_HAARCASCADES_DIR
  dirs.push_back(FERLAB_HAARCASCADES_DIR);
#endif
  return dirs;
}

// Finds a cascade file: an explicit path as given, a bare name in search_path().
inline std::string locate(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  std::string looked;
  for (const std::string& dir : search_path()) {
    const std::string path = dir + "/" + name;
    if (std::filesystem::exists(path)) return path;
    looked += (looked.empty() ? "" : ", ") + dir;
  }
  throw std::invalid_argument("Haar cascade '" + name + "' not found in " +
                              (looked.empty() ? std::string("no folder") : looked) +
                              " (install Debian's opencv-data, or name folders in "
                              "FERLAB_CASCADE_PATH)");
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
