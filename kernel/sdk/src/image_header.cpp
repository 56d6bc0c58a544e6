#include <cctype>
#include <ferlab/image_header.hpp>
#include <string_view>

namespace ferlab {
namespace {

using Bytes = std::span<const unsigned char>;

std::uint64_t big_endian(Bytes b, size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | b[at + i];
  return v;
}

std::uint64_t little_endian(Bytes b, size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | b[at + i];
  return v;
}

ImageHeader failed(ImageHeader h, const char* why) {
  h.problem = why;
  return h;
}

ImageHeader cut_short(ImageHeader h) {
  h.complete = false;
  return h;
}

bool starts_with(Bytes b, std::string_view magic, size_t at = 0) {
  if (b.size() < at + magic.size()) return false;
  for (size_t i = 0; i < magic.size(); ++i)
    if (b[at + i] != static_cast<unsigned char>(magic[i])) return false;
  return true;
}

// PNG: signature, then chunks (length, type, data, CRC) from IHDR to IEND.
ImageHeader png(Bytes b) {
  ImageHeader h{"PNG"};
  if (b.size() < 24 || !starts_with(b, "IHDR", 12)) return failed(h, "no IHDR chunk");
  h.width = big_endian(b, 16, 4);
  h.height = big_endian(b, 20, 4);
  size_t at = 8;
  while (true) {
    if (b.size() - at < 12) return cut_short(h);
    std::uint64_t length = big_endian(b, at, 4);
    if (starts_with(b, "IEND", at + 4)) return h;
    if (length > b.size() - at - 12) return cut_short(h);
    at += 12 + length;
  }
}

// JPEG: marker segments from SOI; after each start of scan, entropy-coded data (in which 0xFF
// is followed by 0x00 or a restart marker) up to the next marker; complete at EOI (0xFFD9).
ImageHeader jpeg(Bytes b) {
  ImageHeader h{"JPEG"};
  size_t at = 2;
  bool sized = false;
  while (true) {
    while (at < b.size() && b[at] != 0xFF) ++at;  // entropy-coded data, or padding
    while (at < b.size() && b[at] == 0xFF) ++at;  // fill bytes
    if (at >= b.size()) break;
    unsigned char marker = b[at++];
    if (marker == 0x00 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
    if (marker == 0xD9) {
      if (!sized) h.problem = "no frame header (SOF) before the end of the image";
      return h;
    }
    if (b.size() - at < 2) break;
    std::uint64_t length = big_endian(b, at, 2);
    if (length < 2) return failed(h, "a marker segment of length < 2");
    bool frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame && !sized) {
      if (length < 7 || b.size() - at < 7) break;
      h.height = big_endian(b, at + 3, 2);
      h.width = big_endian(b, at + 5, 2);
      sized = true;
    }
    if (length > b.size() - at) break;
    at += length;
  }
  if (!sized) h.problem = "the file ends before the frame header (SOF)";
  h.complete = false;
  return h;
}

// The absolute value of a 32-bit two's complement field.
std::uint64_t magnitude(std::uint64_t field) {
  return field & 0x80000000u ? (~field & 0xFFFFFFFFu) + 1 : field;
}

// BMP: BITMAPFILEHEADER then a core (12-byte) or info (40+) header; uncompressed pixel rows
// are padded to 4 bytes.
ImageHeader bmp(Bytes b) {
  ImageHeader h{"BMP"};
  if (b.size() < 26) return failed(h, "the file ends inside the header");
  std::uint64_t info = little_endian(b, 14, 4), bits = 0, compression = 0;
  if (info == 12) {
    h.width = little_endian(b, 18, 2);
    h.height = little_endian(b, 20, 2);
    bits = little_endian(b, 24, 2);
  } else {
    if (info < 40 || b.size() < 34) return failed(h, "an unknown BMP header");
    h.width = magnitude(little_endian(b, 18, 4));
    h.height = magnitude(little_endian(b, 22, 4));  // negative: rows top-down
    bits = little_endian(b, 28, 2);
    compression = little_endian(b, 30, 4);
  }
  if (compression == 0 && bits > 0 && h.width <= (1u << 20)) {
    std::uint64_t row = (h.width * bits + 31) / 32 * 4;
    h.complete = little_endian(b, 10, 4) + row * h.height <= b.size();
  }
  return h;
}

// Netpbm: "P1".."P6", then width, height (and maxval but for P1/P4) as decimal text, with
// comments from '#' to the end of a line; binary rasters (P4-P6) follow one whitespace byte.
ImageHeader pnm(Bytes b) {
  ImageHeader h{"PNM"};
  char kind = static_cast<char>(b[1]);
  size_t at = 2;
  std::uint64_t fields[3] = {0, 0, 0};  // width, height, maximum value (none in P1, P4)
  int count = kind == '1' || kind == '4' ? 2 : 3;
  for (int f = 0; f < count; ++f) {
    while (at < b.size() && (std::isspace(b[at]) || b[at] == '#')) {
      if (b[at] == '#')
        while (at < b.size() && b[at] != '\n') ++at;
      else
        ++at;
    }
    size_t start = at;
    while (at < b.size() && std::isdigit(b[at]) && at - start < 10)
      fields[f] = fields[f] * 10 + (b[at++] - '0');
    if (at == start || (at < b.size() && std::isdigit(b[at])))
      return failed(h, "no valid width, height or maximum value in the header");
  }
  h.width = fields[0];
  h.height = fields[1];
  if (kind >= '4') {
    std::uint64_t channels = kind == '6' ? 3 : 1, depth = fields[2] > 255 ? 2 : 1;
    std::uint64_t raster =
        kind == '4' ? (h.width + 7) / 8 * h.height : h.width * h.height * channels * depth;
    h.complete = h.width <= (1u << 24) && h.height <= (1u << 24) && at + 1 + raster <= b.size();
  }
  return h;
}

// TIFF: byte order, then the first image file directory's ImageWidth (256) and ImageLength
// (257) tags, SHORT or LONG.
ImageHeader tiff(Bytes b) {
  ImageHeader h{"TIFF"};
  bool little = b[0] == 'I';
  auto read = [&](size_t at, int n) {
    return little ? little_endian(b, at, n) : big_endian(b, at, n);
  };
  std::uint64_t ifd = read(4, 4);
  if (ifd > b.size() || b.size() - ifd < 2) return failed(h, "the first IFD is outside the file");
  std::uint64_t entries = read(ifd, 2);
  for (std::uint64_t e = 0; e < entries && ifd + 2 + 12 * (e + 1) <= b.size(); ++e) {
    size_t at = ifd + 2 + 12 * e;
    std::uint64_t tag = read(at, 2), type = read(at + 2, 2);
    std::uint64_t value = type == 3 ? read(at + 8, 2) : read(at + 8, 4);
    if (tag == 256) h.width = value;
    if (tag == 257) h.height = value;
  }
  if (h.width == 0 || h.height == 0)
    h.problem = "no ImageWidth or ImageLength tag in the first IFD";
  return h;
}

// WebP: RIFF container of the given size, then a VP8 (lossy), VP8L (lossless) or VP8X
// (extended) chunk holding the canvas size.
ImageHeader webp(Bytes b) {
  ImageHeader h{"WebP"};
  if (b.size() < 30) return failed(h, "the file ends inside the header");
  h.complete = little_endian(b, 4, 4) + 8 <= b.size();
  if (starts_with(b, "VP8 ", 12)) {
    h.width = little_endian(b, 26, 2) & 0x3FFF;
    h.height = little_endian(b, 28, 2) & 0x3FFF;
  } else if (starts_with(b, "VP8L", 12)) {
    std::uint64_t bits = little_endian(b, 21, 4);
    h.width = (bits & 0x3FFF) + 1;
    h.height = (bits >> 14 & 0x3FFF) + 1;
  } else if (starts_with(b, "VP8X", 12)) {
    h.width = little_endian(b, 24, 3) + 1;
    h.height = little_endian(b, 27, 3) + 1;
  } else {
    h.problem = "no VP8, VP8L or VP8X chunk";
  }
  return h;
}

}  // namespace

ImageHeader read_image_header(Bytes file) {
  if (starts_with(file, "\x89PNG\r\n\x1a\n")) return png(file);
  if (starts_with(file, "\xFF\xD8")) return jpeg(file);
  if (starts_with(file, "BM")) return bmp(file);
  if (file.size() >= 3 && file[0] == 'P' && file[1] >= '1' && file[1] <= '6' &&
      std::isspace(file[2]))
    return pnm(file);
  if (file.size() >= 8 && (starts_with(file, std::string_view("II*\0", 4)) ||
                           starts_with(file, std::string_view("MM\0*", 4))))
    return tiff(file);
  if (starts_with(file, "RIFF") && starts_with(file, "WEBP", 8)) return webp(file);
  ImageHeader h;
  h.problem = "not a PNG, JPEG, BMP, PNM, TIFF or WebP image";
  return h;
}

}  // namespace ferlab
