#include "storage/run_status.hpp"

#include <options/names.hpp>

namespace ferlab::options {

template <>
struct Names<storage::RunStatus> {
  using S = storage::RunStatus;
  static constexpr std::array<std::pair<S, std::string_view>, 4> table{{
      {S::running, "running"},
      {S::finished, "finished"},
      {S::failed, "failed"},
      {S::interrupted, "interrupted"},
  }};
};

}  // namespace ferlab::options

namespace ferlab::storage {

std::string status_name(RunStatus status) { return options::name_of(status); }

std::optional<RunStatus> parse_status(std::string_view text) {
  return options::parse<RunStatus>(text);
}

}  // namespace ferlab::storage
