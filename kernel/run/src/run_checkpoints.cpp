#include "run/run_checkpoints.hpp"

#include <fmt/format.h>

#include "assembly/model_bundle.hpp"
#include "storage/run_outputs.hpp"
#include "storage/sha256.hpp"

namespace ferlab::run {
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : "\n") + n;
  return out;
}

}  // namespace

std::filesystem::path run_checkpoint_file(storage::Database& db, std::int64_t run,
                                          const std::string& which) {
  const std::filesystem::path db_path = db.path();
  const std::filesystem::path dir = db_path.parent_path();
  for (const storage::Artifact& a : storage::run_artifacts(db, run))
    if (a.kind == "checkpoint" && a.name == which && a.path) {
      const std::filesystem::path recorded = dir / *a.path;
      if (std::filesystem::exists(recorded)) return recorded;
    }
  return dir / "checkpoints" /
         fmt::format("{}-run-{}-{}.ferlab", db_path.stem().string(), run, which);
}

RunCheckpoints::RunCheckpoints(storage::RunStore& store, std::int64_t run,
                               const std::string& db_path, const spec::RunSpec& spec,
                               const std::vector<std::string>& classes, const InputShape& input,
                               const std::vector<std::string>& fitted_states)
    : store_(store),
      run_(run),
      db_dir_(std::filesystem::path(db_path).parent_path()),
      select_on_(options::name_of(spec.train.select_on)) {
  info_.metadata = {
      {"spec", spec.resolved_yaml},
      {"classes", joined(classes)},
      {"select_on", select_on_},
      {"seed", std::to_string(spec.seed)},
      {"input_shape", fmt::format("{}x{}x{}", input.channels, input.height, input.width)}};
  for (std::size_t i = 0; i < fitted_states.size(); ++i)
    if (!fitted_states[i].empty()) info_.metadata[assembly::fitted_state_key(i)] = fitted_states[i];
  for (const char* which : {"best", "last"})
    files_[which] = run_checkpoint_file(store.database(), run, which);
  std::error_code error;
  std::filesystem::create_directories(db_dir_ / "checkpoints", error);
  if (error)
    throw std::runtime_error(fmt::format("{}: cannot create the checkpoint directory: {}",
                                         (db_dir_ / "checkpoints").string(), error.message()));
}

std::filesystem::path RunCheckpoints::file(const std::string& which) const {
  return files_.at(which);
}

void RunCheckpoints::after_epoch(engine::Network& network, const engine::EpochStats& stats,
                                 const engine::TrainingState& state) {
  if (stats.best) write(network, "best", stats.epoch, nullptr);
  write(network, "last", stats.epoch, &state);
}

void RunCheckpoints::write(engine::Network& network, const std::string& which, int epoch,
                           const engine::TrainingState* state) {
  const std::filesystem::path path = file(which);
  engine::CheckpointInfo info = info_;
  info.epoch = epoch;
  info.metadata["checkpoint"] = which;
  if (state) engine::store_training_state(*state, info);
  engine::save_checkpoint(path, network, info);
  storage::Artifact a;
  a.kind = "checkpoint";
  a.name = which;
  // Relative to the database's directory: the two move together (and survive `db merge`).
  a.path = std::filesystem::relative(path, db_dir_.empty() ? "." : db_dir_).string();
  a.sha256 = storage::sha256_file(path);
  a.bytes = static_cast<std::int64_t>(std::filesystem::file_size(path));
  a.epoch = epoch;
  a.best_by = select_on_;
  a.mime = "application/x-ferlab-checkpoint";
  store_.record_artifact(run_, a);
}

}  // namespace ferlab::run
