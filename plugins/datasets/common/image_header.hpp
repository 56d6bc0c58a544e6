// What an image file says about itself before it is decoded: its format, its size in pixels,
// and whether the file holds all of it. Decoders allocate from the header and, for a JPEG cut
// short, libjpeg fills the rest with grey and only prints "Premature end of JPEG file"; this
// lets the caller refuse both before decoding, naming the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace datasets {

struct ImageHeader {
  std::string format;  // "PNG", "JPEG", "BMP", "PNM", "TIFF", "WebP"; empty when not recognised
  std::uint64_t width = 0, height = 0;
  // false when the file ends before the image does: PNG and JPEG are walked chunk by chunk
  // (segment by segment) to their end marker (IEND, EOI); BMP, binary PNM and WebP are
  // compared with the size their header gives. TIFF is left to its decoder.
  bool complete = true;
  std::string problem;  // why the header does not read; empty when it does
};

ImageHeader read_image_header(std::span<const unsigned char> file);

}  // namespace datasets
