#include "run/interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace ferlab::run {
namespace {

std::atomic<bool> requested{false};

void on_signal(int signal) {
  if (requested.exchange(true)) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  const char message[] =
      "\nferlab: stopping after the current step (press Ctrl-C again to quit now)\n";
  [[maybe_unused]] auto written = write(STDERR_FILENO, message, sizeof message - 1);
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupt_requested() { return requested.load(); }

void check_interrupt() {
  if (requested.load()) throw Interrupted();
}

}  // namespace ferlab::run
