// Listing and decoding image files. A file that cannot be decoded is skipped with a warning
// naming it, never dropped silently.
#pragma once

#include <cstdint>
#include <ferlab/events.hpp>
#include <filesystem>
#include <opencv2/core.hpp>
#include <vector>

namespace datasets {

// Image files (png, jpg, jpeg, bmp, tif, tiff, pgm, ppm, webp) directly in `dir`, or in any
// sub-folder when `recursive`, sorted by path.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir, bool recursive);

// Bounds on an image file, checked before decoding (its header gives the pixels, as OpenCV's
// own OPENCV_IO_MAX_IMAGE_PIXELS check does, but at 1/16 of its default of 2^30).
struct ImageLimits {
  static constexpr std::uint64_t side = 8192;
  static constexpr std::uint64_t pixels = side * side;  // 67 Mpx; a face is 48 x 48
  static constexpr std::uint64_t file_bytes = std::uint64_t{256} << 20;  // 256 MiB
};

// Decodes the files in parallel to 8-bit gray (or BGR when `color`). A file that cannot be
// used gives an empty Mat and a warning naming it relative to `root`: "corrupt-image" when it
// does not decode, "too-large-image" past ImageLimits, "truncated-image" when it ends before
// its image does (image_header.hpp; decoders would fill the rest with grey).
std::vector<cv::Mat> decode_images(const std::vector<std::filesystem::path>& files, bool color,
                                   const std::filesystem::path& root, ferlab::EventSink& events);

// Any 8/16-bit or float image with 1, 3 or 4 channels as 8-bit gray or BGR.
cv::Mat to_8bit(const cv::Mat& image, bool color);

}  // namespace datasets
