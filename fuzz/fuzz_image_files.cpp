// The image-folder scanner's decoding on arbitrary bytes as one image file: the header checks
// (size limit, truncation) and OpenCV's decoders behind them. A file either decodes or is
// skipped with a warning.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "../plugins/datasets/common/image_files.hpp"

namespace {

struct Ignore : ferlab::EventSink {
  void warn(const std::string&, const std::string&) override {}
  void count(const std::string&, long) override {}
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cv::setNumThreads(0);  // decode on the fuzzer's thread
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ferlab-fuzz-images-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "face.png";
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  Ignore events;
  datasets::decode_images({file}, size % 2 == 0, dir, events);
  return 0;
}
