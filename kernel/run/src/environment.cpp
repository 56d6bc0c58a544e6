#include "run/environment.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <dnnl.hpp>
#include <fstream>
#include <opencv2/core.hpp>
#include <thread>

#include "engine/threads.hpp"
#include "storage/stale_runs.hpp"

namespace ferlab::run {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

int use_threads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  engine::set_threads(threads);
  cv::setNumThreads(threads);
  return threads;
}

Environment describe_environment(int threads) {
  Environment e;
  e.host = storage::host_name();
  e.cpu = cpu_model();
  e.threads = threads;
  e.ferlab_version = FERLAB_VERSION;
  e.git_revision = FERLAB_GIT_REVISION;
  const dnnl_version_t* v = dnnl::version();
  e.onednn_version = fmt::format("{}.{}.{}", v->major, v->minor, v->patch);
  e.opencv_version = CV_VERSION;
  return e;
}

}  // namespace ferlab::run
