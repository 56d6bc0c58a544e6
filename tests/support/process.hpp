// Running a command line from a test, as a user would: exit status and output.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace ferlab::testing_support {

struct CommandOutput {
  int status = -1;
  std::string out;  // stdout, or stdout and stderr together when merged
  std::string err;  // stderr when not merged
};

// Runs `command` through the shell. With merge_stderr, stderr is appended to out in order.
inline CommandOutput run_command(const std::string& command, bool merge_stderr = true) {
  namespace fs = std::filesystem;
  fs::path err_file = fs::temp_directory_path() / ("ferlab-test-err-" + std::to_string(getpid()));
  std::string full = command + (merge_stderr ? " 2>&1" : " 2>" + err_file.string());
  CommandOutput result;
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe))
    result.out.append(buffer.data(), n);
  result.status = WEXITSTATUS(pclose(pipe));
  if (!merge_stderr) {
    std::ifstream err(err_file);
    result.err.assign(std::istreambuf_iterator<char>(err), {});
    fs::remove(err_file);
  }
  return result;
}

#ifdef FERLAB_CLI
// `ferlab ARGS` as a user types it, with the built CLI; stderr apart unless merged.
inline CommandOutput run_ferlab(const std::string& args, bool merge_stderr = false) {
  return run_command(std::string(FERLAB_CLI) + " " + args, merge_stderr);
}
#endif

}  // namespace ferlab::testing_support
