#include "search/halving.hpp"

#include <algorithm>
#include <stdexcept>

namespace ferlab::search {

std::vector<Rung> halving_rungs(int trials, int eta, int min_epochs, int max_epochs) {
  if (eta < 2) throw std::invalid_argument("halving: eta must be at least 2");
  if (min_epochs < 1 || max_epochs < min_epochs)
    throw std::invalid_argument("halving: expected 1 <= min_epochs <= max_epochs");
  std::vector<Rung> rungs;
  long epochs = min_epochs;
  long reaching = trials;
  for (;;) {
    rungs.push_back({static_cast<int>(std::min<long>(epochs, max_epochs)),
                     static_cast<int>(std::max<long>(reaching, 1))});
    if (epochs >= max_epochs || reaching <= 1) break;
    epochs *= eta;
    reaching = (reaching + eta - 1) / eta;
  }
  // Down to one trial before max_epochs: that trial trains on to max_epochs.
  rungs.back().epochs = max_epochs;
  return rungs;
}

long total_epochs(const std::vector<Rung>& rungs) {
  long total = 0;
  int before = 0;  // epochs every trial of this rung had already trained
  for (const Rung& r : rungs) {
    total += static_cast<long>(r.trials) * (r.epochs - before);
    before = r.epochs;
  }
  return total;
}

std::vector<int> promoted(std::vector<std::pair<int, double>> scores, int keep) {
  std::sort(scores.begin(), scores.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<int> out;
  for (int i = 0; i < keep && i < static_cast<int>(scores.size()); ++i)
    out.push_back(scores[i].first);
  return out;
}

}  // namespace ferlab::search
