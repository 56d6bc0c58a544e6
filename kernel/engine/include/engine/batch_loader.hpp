// Training batches prepared ahead by worker threads while the network trains on the current
// one: images copied, augmented and converted to floats off the training thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <ferlab/backbone.hpp>
#include <ferlab/sample.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/augmentation.hpp"

namespace ferlab::engine {

// This process's part of every batch in data-parallel training: images [offset, offset + batch)
// of each batch of `whole` images. The default is the whole batch.
struct BatchSlice {
  int offset = 0, whole = 0;  // whole 0: the loader's batch
};

class BatchLoader {
 public:
  // `samples` must outlive the loader. Each sample's augmentation draws from its own generator
  // seeded by (seed, epoch, sample index), and each batch step from (seed, epoch, step): the
  // batches are the same whatever the number of threads (at least 1).
  // With a slice, `batch` is this process's part and each step s reads order[s * slice.whole +
  // slice.offset ...]: the processes' parts together are the batches one process would see.
  BatchLoader(const std::vector<Sample>& samples, const InputShape& shape, int batch, int classes,
              Augmentation augmentation, std::uint64_t seed, int threads, BatchSlice slice = {});
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Starts preparing an epoch (0-based): batch s holds samples order[s * batch ...], full
  // batches only (the remainder is left out).
  void start_epoch(std::vector<std::size_t> order, int epoch);
  // Batches in the epoch.
  std::size_t steps() const { return steps_; }
  // Waits for the epoch's next batch and copies it out: inputs (batch x C x H x W), each image's
  // own label, and, when `targets` is not null, the targets after the batch step (batch x
  // classes). Rethrows what a worker threw (a failing augmenter).
  void next(float* input, int* labels, float* targets = nullptr);

 private:
  struct Slot {
    std::vector<float> input, targets;
    std::vector<int> labels;
    long ready = -1;  // the step this slot holds, -1 while empty
  };
  void work();
  void fill(Slot& slot, std::size_t step);

  const std::vector<Sample>& samples_;
  const InputShape shape_;
  const int batch_, classes_;
  const BatchSlice slice_;
  const Augmentation augmentation_;
  const std::uint64_t seed_;

  std::mutex mutex_;
  std::condition_variable work_ready_, batch_ready_;
  std::vector<Slot> slots_;  // a ring: step s lives in slots_[s % size]
  std::vector<std::size_t> order_;
  int epoch_ = 0;
  std::size_t steps_ = 0, claimed_ = 0, consumed_ = 0, in_flight_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace ferlab::engine
