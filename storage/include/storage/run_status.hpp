// A run's lifecycle as the runs table records it (its text column `status`): running while a
// process works on it; then finished, failed, or interrupted (stopped, killed, or found stale
// when a store opens; resumable). Code compares RunStatus values; the names below are the text
// stored, which the SQL of this library also uses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ferlab::storage {

enum class RunStatus { running, finished, failed, interrupted };

std::string status_name(RunStatus status);

// The status a stored text names; nullopt for text this version does not know (a database
// written by another program).
std::optional<RunStatus> parse_status(std::string_view text);

}  // namespace ferlab::storage
