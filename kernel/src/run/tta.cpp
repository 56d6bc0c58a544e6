#include "run/tta.hpp"

#include <stdexcept>

#include "engine/trainer.hpp"

namespace ferlab::run {

std::vector<std::vector<float>> tta_probabilities(engine::Network& network,
                                                  const std::vector<Sample>& samples,
                                                  const std::string& mode) {
  if (mode == "none") return engine::predict(network, samples);
  throw std::invalid_argument("unknown test-time augmentation '" + mode + "' (none)");
}

}  // namespace ferlab::run
