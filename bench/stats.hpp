// Clock and summary statistics shared by the benchmark's measures.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace ferlab::bench {

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Median, robust to the spikes a shared machine adds (other processes, page faults).
inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// How long to repeat a measure: at least `min_runs` runs and `min_seconds` seconds, after
// `warmup` untimed runs (first touches of buffers, oneDNN's JIT and scratchpad).
struct Repeat {
  int warmup = 2;
  int min_runs = 3;
  double min_seconds = 4;
};

// Runs `once` as Repeat says and returns the seconds of each timed run.
template <class F>
std::vector<double> time_runs(const Repeat& r, F&& once) {
  for (int i = 0; i < r.warmup; ++i) once();
  std::vector<double> runs;
  const double start = now_seconds();
  while (static_cast<int>(runs.size()) < r.min_runs || now_seconds() - start < r.min_seconds) {
    const double t = now_seconds();
    once();
    runs.push_back(now_seconds() - t);
  }
  return runs;
}

}  // namespace ferlab::bench
