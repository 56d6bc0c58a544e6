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

// Decodes the files in parallel to 8-bit gray (or BGR when `color`). A file that cannot be
// used gives an empty Mat and a warning naming it relative to `root`, with the code of
// ferlab::read_image_file (<ferlab/image_header.hpp>): "corrupt-image", "too-large-image" past
// ImageLimits, "truncated-image" when it ends before its image does.
std::vector<cv::Mat> decode_images(const std::vector<std::filesystem::path>& files, bool color,
                                   const std::filesystem::path& root, ferlab::EventSink& events);

// Any 8/16-bit or float image with 1, 3 or 4 channels as 8-bit gray or BGR.
cv::Mat to_8bit(const cv::Mat& image, bool color);

}  // namespace datasets
