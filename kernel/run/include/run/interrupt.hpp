// Ctrl-C handling: the first SIGINT/SIGTERM asks the run to stop after the current step; a
// second one ends the process at once.
#pragma once

#include <stdexcept>

namespace ferlab::run {

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted by a signal") {}
};

void install_interrupt_handler();
bool interrupt_requested();
// Throws Interrupted when a stop was requested.
void check_interrupt();

}  // namespace ferlab::run
