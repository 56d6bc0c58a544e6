#include "engine/batch_loader.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/batch.hpp"
#include "engine/seeding.hpp"

namespace ferlab::engine {

BatchLoader::BatchLoader(const std::vector<Sample>& samples, const InputShape& shape, int batch,
                         int classes, Augmentation augmentation, std::uint64_t seed, int threads,
                         BatchSlice slice)
    : samples_(samples),
      shape_(shape),
      batch_(batch),
      classes_(classes),
      slice_{slice.offset, slice.whole == 0 ? batch : slice.whole},
      augmentation_(std::move(augmentation)),
      seed_(seed) {
  if (batch < 1 || threads < 1) throw std::invalid_argument("batch and threads must be positive");
  if (slice_.offset < 0 || slice_.offset + batch > slice_.whole)
    throw std::invalid_argument("a batch slice must lie inside the batch");
  if (augmentation_.batch && slice_.whole != batch)
    throw std::invalid_argument(
        "batch augmenters (mixup, cutmix) mix images across the whole batch: they need it in "
        "one process, not split for data-parallel training");
  // Two batches per worker: one being filled, one waiting for the trainer.
  slots_.resize(2 * static_cast<std::size_t>(threads));
  const std::size_t floats =
      static_cast<std::size_t>(batch) * shape.channels * shape.height * shape.width;
  for (Slot& slot : slots_) {
    slot.input.resize(floats);
    slot.labels.resize(batch);
    slot.targets.resize(static_cast<std::size_t>(batch) * classes);
  }
  for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& w : workers_) w.join();
}

void BatchLoader::start_epoch(std::vector<std::size_t> order, int epoch) {
  std::unique_lock lock(mutex_);
  // A batch still being filled for the last epoch writes into a slot: let it finish.
  batch_ready_.wait(lock, [&] { return in_flight_ == 0; });
  order_ = std::move(order);
  epoch_ = epoch;
  steps_ = order_.size() / slice_.whole;
  claimed_ = consumed_ = 0;
  for (Slot& slot : slots_) slot.ready = -1;
  lock.unlock();
  work_ready_.notify_all();
}

void BatchLoader::next(float* input, int* labels, float* targets) {
  std::unique_lock lock(mutex_);
  if (consumed_ >= steps_) throw std::logic_error("BatchLoader::next: the epoch is over");
  const std::size_t step = consumed_;
  Slot& slot = slots_[step % slots_.size()];
  batch_ready_.wait(lock, [&] { return error_ || slot.ready == static_cast<long>(step); });
  if (error_) std::rethrow_exception(error_);
  lock.unlock();  // no worker touches a ready slot before it is consumed
  std::copy(slot.input.begin(), slot.input.end(), input);
  std::copy(slot.labels.begin(), slot.labels.end(), labels);
  if (targets) std::copy(slot.targets.begin(), slot.targets.end(), targets);
  lock.lock();
  slot.ready = -1;
  ++consumed_;
  lock.unlock();
  work_ready_.notify_all();
}

void BatchLoader::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [&] {
      return stop_ || (!error_ && claimed_ < steps_ && claimed_ < consumed_ + slots_.size());
    });
    if (stop_) return;
    const std::size_t step = claimed_++;
    Slot& slot = slots_[step % slots_.size()];
    ++in_flight_;
    lock.unlock();
    std::exception_ptr error;
    try {
      fill(slot, step);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    --in_flight_;
    if (error && !error_) error_ = error;
    if (!error) slot.ready = static_cast<long>(step);
    batch_ready_.notify_all();
  }
}

void BatchLoader::fill(Slot& slot, std::size_t step) {
  const std::size_t per_image =
      static_cast<std::size_t>(shape_.channels) * shape_.height * shape_.width;
  for (int j = 0; j < batch_; ++j) {
    const std::size_t index = order_[step * slice_.whole + slice_.offset + j];
    const Sample& sample = samples_[index];
    slot.labels[j] = sample.label;
    float* out = slot.input.data() + j * per_image;
    if (augmentation_.image) {
      cv::Mat image = sample.image.clone();  // an augmenter may write in place
      Rng rng(augment_seed(seed_, epoch_, index));
      augmentation_.image(image, rng);
      image_to_tensor(image, shape_, out);
    } else {
      image_to_tensor(sample.image, shape_, out);
    }
  }
  std::fill(slot.targets.begin(), slot.targets.end(), 0.f);
  for (int j = 0; j < batch_; ++j)
    if (slot.labels[j] >= 0 && slot.labels[j] < classes_)
      slot.targets[static_cast<std::size_t>(j) * classes_ + slot.labels[j]] = 1.f;
  if (augmentation_.batch) {
    BatchTensor tensor{slot.input.data(), slot.targets.data(), batch_,  shape_.channels,
                       shape_.height,     shape_.width,        classes_};
    Rng rng(batch_augment_seed(seed_, epoch_, step));
    augmentation_.batch(tensor, rng);
  }
}

}  // namespace ferlab::engine
