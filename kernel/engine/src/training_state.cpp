#include "engine/training_state.hpp"

#include <bit>
#include <cstdint>
#include <stdexcept>

namespace ferlab::engine {
namespace {

const std::string prefix = "training/";
const std::string moment_prefix = "optimizer/";
const std::string best_prefix = "best/";

// Doubles travel as their bit pattern so a resumed run compares scores exactly.
std::string exact(double value) { return std::to_string(std::bit_cast<std::uint64_t>(value)); }

class Fields {
 public:
  explicit Fields(const CheckpointInfo& info) : info_(info) {}
  bool present() const { return info_.metadata.count(prefix + "epochs_done") > 0; }
  const std::string& text(const std::string& key) const {
    auto it = info_.metadata.find(prefix + key);
    if (it == info_.metadata.end())
      throw std::runtime_error("checkpoint training state lacks '" + prefix + key + "'");
    return it->second;
  }
  long long integer(const std::string& key) const {
    try {
      return std::stoll(text(key));
    } catch (const std::logic_error&) {
      throw std::runtime_error("checkpoint training state: '" + prefix + key +
                               "' is not an integer");
    }
  }
  double real(const std::string& key) const {
    try {
      return std::bit_cast<double>(static_cast<std::uint64_t>(std::stoull(text(key))));
    } catch (const std::logic_error&) {
      throw std::runtime_error("checkpoint training state: '" + prefix + key + "' is not a number");
    }
  }

 private:
  const CheckpointInfo& info_;
};

}  // namespace

void store_training_state(const TrainingState& s, CheckpointInfo& info) {
  const std::pair<const char*, std::string> fields[] = {
      {"epochs_done", std::to_string(s.epochs_done)},
      {"stopped_early", std::to_string(s.stopped_early ? 1 : 0)},
      {"optimizer_steps", std::to_string(s.optimizer_steps)},
      {"plateau_scale", exact(s.plateau_scale)},
      {"plateau_wait", std::to_string(s.plateau_wait)},
      {"shuffle_rng", s.shuffle_rng},
      {"network_rng", s.network_rng},
      {"best_score", exact(s.best_score)},
      {"best_epoch", std::to_string(s.best_epoch)},
      {"since_best", std::to_string(s.since_best)}};
  for (const auto& [key, value] : fields) info.metadata[prefix + key] = value;
  for (const auto& [name, values] : s.moments) info.state[moment_prefix + name] = values;
  for (const auto& [name, values] : s.best_weights) info.state[best_prefix + name] = values;
}

std::optional<TrainingState> training_state_of(const CheckpointInfo& info) {
  const Fields f(info);
  if (!f.present()) return std::nullopt;
  TrainingState s;
  s.epochs_done = static_cast<int>(f.integer("epochs_done"));
  s.stopped_early = f.integer("stopped_early") != 0;
  s.optimizer_steps = static_cast<long>(f.integer("optimizer_steps"));
  s.plateau_scale = f.real("plateau_scale");
  s.plateau_wait = static_cast<int>(f.integer("plateau_wait"));
  s.shuffle_rng = f.text("shuffle_rng");
  s.network_rng = f.text("network_rng");
  s.best_score = f.real("best_score");
  s.best_epoch = static_cast<int>(f.integer("best_epoch"));
  s.since_best = static_cast<int>(f.integer("since_best"));
  for (const auto& [name, values] : info.state) {
    if (name.rfind(moment_prefix, 0) == 0) s.moments[name.substr(moment_prefix.size())] = values;
    if (name.rfind(best_prefix, 0) == 0) s.best_weights[name.substr(best_prefix.size())] = values;
  }
  return s;
}

}  // namespace ferlab::engine
