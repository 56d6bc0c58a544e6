#include <ferlab/media.hpp>
#include <stdexcept>

#include "codecs.hpp"

namespace ferlab::media {

using detail::codecs;

cv::Mat decode_image(const std::vector<unsigned char>& bytes, int imread_flags) {
  return codecs().decode(bytes, imread_flags);
}

std::vector<unsigned char> encode_image(const std::string& extension, const cv::Mat& image) {
  std::vector<unsigned char> bytes;
  if (!codecs().encode(extension, image, bytes))
    throw std::runtime_error("cannot encode an image as " + extension);
  return bytes;
}

bool write_image(const std::filesystem::path& file, const cv::Mat& image) {
  return codecs().write(file.string(), image);
}

std::unique_ptr<VideoReader> open_video(const std::filesystem::path& file) {
  return codecs().open_video(file.string());
}

std::unique_ptr<VideoReader> open_camera(int index) { return codecs().open_camera(index); }

std::unique_ptr<VideoWriter> create_mjpeg_video(const std::filesystem::path& file, double fps,
                                                cv::Size size) {
  return codecs().create_mjpeg_video(file.string(), fps, size);
}

}  // namespace ferlab::media
