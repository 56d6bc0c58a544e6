// A file's whole content, for tests that read what a command wrote (a report, a script, a plot).
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace ferlab::testing_support {

// Empty when the file cannot be read.
inline std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace ferlab::testing_support
