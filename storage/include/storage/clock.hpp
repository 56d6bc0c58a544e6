// The time stamps the run store writes: UTC, to the second, ISO 8601 ("2026-11-28T16:50:00Z").
#pragma once

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <string>

namespace ferlab::storage {

inline std::string now_utc() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

}  // namespace ferlab::storage
