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

const Codecs kCodecs{
    [](const std::vector<unsigned char>& bytes, int flags) { return cv::imdecode(bytes, flags); },
    [](const std::string& extension, const cv::Mat& image, std::vector<unsigned char>& bytes) {
      return cv::imencode(extension, image, bytes);
    },
    [](const std::string& file, const cv::Mat& image) { return cv::imwrite(file, image); },
    [](const std::string& file) {
      return reader_if_open(std::make_unique<cv::VideoCapture>(file));
    },
    [](int index) { return reader_if_open(std::make_unique<cv::VideoCapture>(index)); },
    [](const std::string& file, double fps, cv::Size size) -> std::unique_ptr<VideoWriter> {
      auto writer = std::make_unique<cv::VideoWriter>(
          file, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, size);
      if (!writer->isOpened()) return nullptr;
      return std::make_unique<MjpegWriter>(std::move(writer));
    },
};

}  // namespace
}  // namespace ferlab::media::detail

extern "C" __attribute__((visibility("default"))) const ferlab::media::detail::Codecs*
ferlab_media_codecs_v1() {
  return &ferlab::media::detail::kCodecs;
}
