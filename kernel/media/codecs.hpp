// What libferlab_media.so gives the SDK (ferlab/media.hpp): one table of entry points, found by
// its versioned C name. Both sides are built together, so the table may use C++ types.
#pragma once

#include <ferlab/media.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ferlab::media::detail {

struct Codecs {
  cv::Mat (*decode)(const std::vector<unsigned char>& bytes, int imread_flags);
  bool (*encode)(const std::string& extension, const cv::Mat& image,
                 std::vector<unsigned char>& bytes);
  bool (*write)(const std::string& file, const cv::Mat& image);
  std::unique_ptr<VideoReader> (*open_video)(const std::string& file);
  std::unique_ptr<VideoReader> (*open_camera)(int index);
  std::unique_ptr<VideoWriter> (*create_mjpeg_video)(const std::string& file, double fps,
                                                     cv::Size size);
};

// The table, loading the library on first use (kernel/sdk/src/media_loader.cpp).
const Codecs& codecs();

inline constexpr const char* kModuleFile = "libferlab_media.so";
inline constexpr const char* kEntryPoint = "ferlab_media_codecs_v1";

}  // namespace ferlab::media::detail

// Defined by the library (kernel/media/codecs.cpp).
extern "C" const ferlab::media::detail::Codecs* ferlab_media_codecs_v1();
