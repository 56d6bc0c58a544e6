// Facts about the machine and the build recorded with every run.
#pragma once

#include <string>

namespace ferlab::run {

struct Environment {
  std::string host, cpu;
  int threads = 0;
  std::string ferlab_version, git_revision, onednn_version, opencv_version;
};

Environment describe_environment(int threads);

// Sets the thread count of oneDNN (OpenMP) and OpenCV; 0 = one per core. Returns the count used.
int use_threads(int threads);

}  // namespace ferlab::run
