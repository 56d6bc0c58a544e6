// FER2013's CSV reader on arbitrary bytes: a file's contents either load or throw
// std::runtime_error naming the file.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "../plugins/datasets/fer2013/fer2013_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ferlab-fuzz-" + std::to_string(getpid()) + ".csv");
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    fer2013::read_csv(file);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
