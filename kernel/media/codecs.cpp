// libferlab_media.so: OpenCV's image and video codecs for the SDK, loaded on first use
// (ferlab/media.hpp says why).
#include "codecs.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

namespace ferlab::media::detail {
namespace {

class CaptureReader : public VideoReader {
 public:
  explicit CaptureReader(std::unique_ptr<cv::VideoCapture> capture)
      : capture_(std::move(capture)) {}
  bool read(cv::Mat& frame) override { return capture_->read(frame); }
  double fps() const override { return capture_->get(cv::CAP_PROP_FPS); }

 private:
  std::unique_ptr<cv::VideoCapture> capture_;
};

class MjpegWriter : public VideoWriter {
 public:
  explicit MjpegWriter(std::unique_ptr<cv::VideoWriter> writer) : writer_(std::move(writer)) {}
  void write(const cv::Mat& frame) override { writer_->write(frame); }

 private:
  std::unique_ptr<cv::VideoWriter> writer_;
};

std::unique_ptr<VideoReader> reader_if_open(std::unique_ptr<cv::VideoCapture> capture) {
  if (!capture->isOpened()) return nullptr;
  return std::make_unique<CaptureReader>(std::move(capture));
}

// Video files go to FFmpeg, then to OpenCV's own Motion-JPEG code, and no further. OpenCV's
// default order goes on to GStreamer and to gphoto2, which takes a file name for a camera's: its
// USB scan costs half a second or more on every file nothing can read, and leaks libusb's device
// list.
constexpr int kFileBackends[] = {cv::CAP_FFMPEG, cv::CAP_OPENCV_MJPEG};

std::unique_ptr<VideoReader> open_video_file(const std::string& file) {
  for (const int backend : kFileBackends) {
    if (auto reader = reader_if_open(std::make_unique<cv::VideoCapture>(file, backend)))
      return reader;
  }
  return nullptr;
}

std::unique_ptr<VideoWriter> create_mjpeg_file(const std::string& file, double fps, cv::Size size) {
  for (const int backend : kFileBackends) {
    auto writer = std::make_unique<cv::VideoWriter>(
        file, backend, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, size);
    if (writer->isOpened()) return std::make_unique<MjpegWriter>(std::move(writer));
  }
  return nullptr;
}

const Codecs kCodecs{
    [](const std::vector<unsigned char>& bytes, int flags) { return cv::imdecode(bytes, flags); },
    [](const std::string& extension, const cv::Mat& image, std::vector<unsigned char>& bytes) {
      return cv::imencode(extension, image, bytes);
    },
    [](const std::string& file, const cv::Mat& image) { return cv::imwrite(file, image); },
    open_video_file,
    [](int index) { return reader_if_open(std::make_unique<cv::VideoCapture>(index)); },
    create_mjpeg_file,
};

}  // namespace
}  // namespace ferlab::media::detail

extern "C" __attribute__((visibility("default"))) const ferlab::media::detail::Codecs*
ferlab_media_codecs_v1() {
  return &ferlab::media::detail::kCodecs;
}
