// Reading image files from outside under bounds. What an image file says about itself before it
// is decoded: its format, its size in pixels, and whether the file holds all of it. Decoders
// allocate from the header and, for a JPEG cut short, libjpeg fills the rest with grey and only
// prints "Premature end of JPEG file"; read_image_file refuses both before decoding. Used by the
// dataset plugins and by `ferlab predict`.
#pragma once

#include <cstdint>
#include <ferlab/export.hpp>
#include <filesystem>
#include <opencv2/core.hpp>
#include <span>
#include <string>

namespace ferlab {

struct ImageHeader {
  std::string format;  // "PNG", "JPEG", "BMP", "PNM", "TIFF", "WebP"; empty when not recognised
  std::uint64_t width = 0, height = 0;
  // false when the file ends before the image does: PNG and JPEG are walked chunk by chunk
  // (segment by segment) to their end marker (IEND, EOI); BMP, binary PNM and WebP are
  // compared with the size their header gives. TIFF is left to its decoder.
  bool complete = true;
  std::string problem;  // why the header does not read; empty when it does
};

FERLAB_API ImageHeader read_image_header(std::span<const unsigned char> file);

// Bounds on an image file, checked before decoding (its header gives the pixels, as OpenCV's
// own OPENCV_IO_MAX_IMAGE_PIXELS check does, but at 1/16 of its default of 2^30).
struct ImageLimits {
  static constexpr std::uint64_t side = 8192;
  static constexpr std::uint64_t pixels = side * side;  // 67 Mpx; a face is 48 x 48
  static constexpr std::uint64_t file_bytes = std::uint64_t{256} << 20;  // 256 MiB
};

// An image file decoded, or why not: `code` "corrupt-image" (unreadable, not an image, a
// decoder error), "too-large-image" (past ImageLimits, file or pixels) or "truncated-image"
// (the file ends before its image does), with `problem` saying what, without the file's name.
struct ImageRead {
  cv::Mat image;  // empty when it was refused
  std::string code, problem;
};

// Reads and decodes `file` as cv::imdecode(`imread_flags`) does (ferlab/media.hpp), checking
// size, header, pixel count and completeness first.
FERLAB_API ImageRead read_image_file(const std::filesystem::path& file, int imread_flags);

}  // namespace ferlab
