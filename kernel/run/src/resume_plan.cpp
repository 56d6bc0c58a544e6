#include "run/resume_plan.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "storage/run_resume.hpp"
#include "storage/run_status.hpp"

namespace ferlab::run {

namespace {

// The resolved spec without what a resumed run may change, in one canonical text.
std::string without_extendable_keys(YAML::Node spec) {
  spec.remove("description");
  spec["train"].remove("epochs");
  YAML::Emitter out;
  out << spec;
  return out.c_str();
}

}  // namespace

ResumeCheck check_resumable(const std::string& recorded, const std::string& now) {
  if (recorded == now) return {};
  const YAML::Node before = YAML::Load(recorded), after = YAML::Load(now);
  if (without_extendable_keys(YAML::Clone(before)) != without_extendable_keys(YAML::Clone(after)))
    return {
        "it was recorded with another resolved spec (only the description and a larger "
        "train.epochs may change)",
        ""};
  const int epochs_before = before["train"]["epochs"].as<int>();
  const int epochs_now = after["train"]["epochs"].as<int>();
  const std::string change = fmt::format("train.epochs {} -> {}", epochs_before, epochs_now);
  if (epochs_now < epochs_before) return {change + ": epochs can only grow", ""};
  if (epochs_now > epochs_before &&
      options::parse<options::Schedule>(after["train"]["schedule"]["name"].as<std::string>()) ==
          options::Schedule::cosine)
    return {change +
                ": the cosine schedule depends on the number of epochs, so its rates would "
                "not be those of the epochs already trained",
            ""};
  return {"", epochs_now == epochs_before ? "" : change};
}

std::map<int, Reopened> plan_resume(storage::RunStore& store, std::vector<spec::RunSpec>& runs) {
  std::map<int, Reopened> reopen;
  std::vector<spec::RunSpec> todo;
  for (spec::RunSpec& run : runs) {
    const auto previous =
        storage::latest_run(store.database(), run.experiment, run.variant, run.seed);
    const std::string who =
        fmt::format("{}{} seed {}", run.experiment,
                    run.variant.empty() ? "" : " (" + run.variant + ")", run.seed);
    if (!previous) {
      fmt::print(stderr, "{}: not recorded yet, starting it\n", who);
    } else if (storage::parse_status(previous->status) == storage::RunStatus::finished) {
      fmt::print(stderr, "{}: finished as run {}, skipped\n", who, previous->id);
      continue;
    } else if (storage::parse_status(previous->status) ==
               storage::RunStatus::running) {  // stale ones were marked when the store opened
      fmt::print(stderr, "{}: run {} is running (process {} on {}), skipped\n", who, previous->id,
                 previous->pid, previous->host);
      continue;
    } else {
      const ResumeCheck check = check_resumable(previous->resolved_spec, run.resolved_yaml);
      if (!check.refusal.empty())
        throw std::runtime_error(
            fmt::format("{}: run {} cannot be resumed with this spec: {} (run without --resume to "
                        "start a new run)",
                        who, previous->id, check.refusal));
      fmt::print(stderr, "{}: resuming run {} ({}{})\n", who, previous->id, previous->status,
                 check.change.empty() ? "" : ", " + check.change);
      reopen[run.index] = {previous->id, check.change};
    }
    todo.push_back(std::move(run));
  }
  runs = std::move(todo);
  return reopen;
}

}  // namespace ferlab::run
