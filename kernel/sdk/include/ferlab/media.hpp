// Image and video files: OpenCV's imgcodecs and videoio behind a small library,
// libferlab_media.so, which the SDK loads beside itself the first time one of these is called.
// Linked directly, the two made every process load ~240 more shared libraries (GDAL, FFmpeg,
// GStreamer: ~0.2 s per `ferlab` command) that most commands never use. A failure to load it
// throws std::runtime_error naming the library and why.
#pragma once

#include <ferlab/export.hpp>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace ferlab::media {

// cv::imdecode: empty when the bytes do not decode (a decoder's cv::Exception is passed on).
// `imread_flags` are OpenCV's cv::IMREAD_* (opencv2/imgcodecs.hpp, whose enums need no linking).
FERLAB_API cv::Mat decode_image(const std::vector<unsigned char>& bytes, int imread_flags);

// cv::imencode into the format of `extension` (".png", ".jpg"); throws when it cannot.
FERLAB_API std::vector<unsigned char> encode_image(const std::string& extension,
                                                   const cv::Mat& image);

// cv::imwrite: false when the file cannot be written.
FERLAB_API bool write_image(const std::filesystem::path& file, const cv::Mat& image);

class FERLAB_API VideoReader {
 public:
  virtual ~VideoReader() = default;
  virtual bool read(cv::Mat& frame) = 0;  // false at the end
  virtual double fps() const = 0;         // 0 when the source does not say
};

class FERLAB_API VideoWriter {
 public:
  virtual ~VideoWriter() = default;
  virtual void write(const cv::Mat& frame) = 0;
};

// A video file (read by FFmpeg or OpenCV's own Motion-JPEG code) or camera N (any backend)
// through cv::VideoCapture; nullptr when it cannot be opened.
FERLAB_API std::unique_ptr<VideoReader> open_video(const std::filesystem::path& file);
FERLAB_API std::unique_ptr<VideoReader> open_camera(int index);

// A Motion-JPEG AVI of frames of `size` (every OpenCV build writes and reads it); nullptr when
// it cannot be created.
FERLAB_API std::unique_ptr<VideoWriter> create_mjpeg_video(const std::filesystem::path& file,
                                                           double fps, cv::Size size);

}  // namespace ferlab::media
