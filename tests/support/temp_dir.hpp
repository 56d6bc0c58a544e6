// A fresh folder for one test (or one suite) under the system's temporary directory:
// ferlab-<label>-<pid>-<n>, so parallel ctest processes and tests never share one. Emptied when
// made, removed with everything in it when destroyed, unless FERLAB_KEEP_TEST_FILES is set (to
// look at what a failing test wrote).
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace ferlab::testing_support {

class TempDir {
 public:
  explicit TempDir(const std::string& label) {
    static std::atomic<int> counter{0};
    path_ =
        std::filesystem::temp_directory_path() /
        ("ferlab-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    if (!std::getenv("FERLAB_KEEP_TEST_FILES")) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace ferlab::testing_support
