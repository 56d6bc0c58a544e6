#include "storage/run_status.hpp"

#include <array>
#include <utility>

namespace ferlab::storage {
namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 4> names{{
    {RunStatus::running, "running"},
    {RunStatus::finished, "finished"},
    {RunStatus::failed, "failed"},
    {RunStatus::interrupted, "interrupted"},
}};

}  // namespace

std::string status_name(RunStatus status) {
  for (const auto& [value, name] : names)
    if (value == status) return std::string(name);
  return "?";  // unreachable while every status is in the table
}

std::optional<RunStatus> parse_status(std::string_view text) {
  for (const auto& [value, name] : names)
    if (name == text) return value;
  return std::nullopt;
}

}  // namespace ferlab::storage
