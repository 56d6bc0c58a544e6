#include <ferlab/image_header.hpp>
#include <ferlab/media.hpp>
#include <fstream>
#include <vector>

namespace ferlab {
namespace {

namespace fs = std::filesystem;

// The file's bytes; empty, with `out.code` and `out.problem` set, when the file cannot be read
// or is larger than ImageLimits::file_bytes.
std::vector<unsigned char> read_bytes(const fs::path& file, ImageRead& out) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(file, error);
  out.code = "corrupt-image";
  if (error) {
    out.problem = "cannot be read (" + error.message() + ")";
    return {};
  }
  if (size > ImageLimits::file_bytes) {
    out.code = "too-large-image";
    out.problem = std::to_string(size) + " bytes, more than the limit of " +
                  std::to_string(ImageLimits::file_bytes);
    return {};
  }
  std::vector<unsigned char> bytes(size);
  std::ifstream in(file, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    out.problem = "cannot be read";
    return {};
  }
  out.code.clear();
  return bytes;
}

}  // namespace

ImageRead read_image_file(const fs::path& file, int imread_flags) {
  ImageRead out;
  const std::vector<unsigned char> bytes = read_bytes(file, out);
  if (!out.problem.empty()) return out;
  const ImageHeader header = read_image_header(bytes);
  if (!header.problem.empty()) {
    out.code = "corrupt-image";
    out.problem = "cannot be decoded as an image (" +
                  (header.format.empty() ? header.problem : header.format + ": " + header.problem) +
                  ")";
    return out;
  }
  if (header.width > ImageLimits::pixels || header.height > ImageLimits::pixels ||
      header.width * header.height > ImageLimits::pixels) {  // no overflow: each is < 2^32
    out.code = "too-large-image";
    out.problem = std::to_string(header.width) + " x " + std::to_string(header.height) +
                  " pixels, more than the limit of " + std::to_string(ImageLimits::pixels) + " (" +
                  std::to_string(ImageLimits::side) + " x " + std::to_string(ImageLimits::side) +
                  ")";
    return out;
  }
  if (!header.complete) {
    out.code = "truncated-image";
    out.problem = "truncated " + header.format + " (the file ends before the image does)";
    return out;
  }
  try {
    out.image = media::decode_image(bytes, imread_flags);
  } catch (const cv::Exception&) {
    // An exception from a decoder is a corrupt file too.
  }
  if (out.image.empty()) {
    out.code = "corrupt-image";
    out.problem = "cannot be decoded as an image";
  }
  return out;
}

}  // namespace ferlab
