#include "engine/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "data_parallel.hpp"
#include "engine/batch.hpp"
#include "engine/batch_loader.hpp"
#include "engine/loss.hpp"
#include "engine/optimizer.hpp"
#include "engine/schedule.hpp"
#include "engine/seeding.hpp"
#include "metrics/metrics.hpp"

namespace ferlab::engine {

namespace {

std::size_t image_floats(const InputShape& s) {
  return static_cast<std::size_t>(s.channels) * s.height * s.width;
}

void check_labels(const std::vector<Sample>& samples, int classes, const char* split) {
  for (const Sample& s : samples)
    if (s.label < 0 || s.label >= classes)
      throw std::invalid_argument(std::string(split) + " sample '" + s.id + "' has label " +
                                  std::to_string(s.label) + ", outside 0.." +
                                  std::to_string(classes - 1));
}

// How good an epoch was by select_on: higher is better (loss is negated).
double selection_score(options::SelectOn select_on, const EpochStats& e, bool has_val) {
  switch (select_on) {
    case options::SelectOn::val_accuracy:
      return has_val ? e.val_accuracy : e.train_accuracy;
    case options::SelectOn::val_macro_f1:
      return has_val ? e.val_macro_f1 : e.train_macro_f1;
    case options::SelectOn::val_loss:
      return -(has_val ? e.val_loss : e.train_loss);
  }
  throw std::logic_error("select_on outside its enum");
}

bool matches(const std::string& pattern, const std::string& layer) {
  if (!pattern.empty() && pattern.back() == '*')
    return layer.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return layer == pattern;
}

// The parameters the optimizer updates: all but those of frozen layers (named, or in the
// first `stages` stages). A pattern matching no layer is an error (a typo would silently
// train everything).
std::vector<Parameter*> unfrozen(Network& network, const std::vector<std::string>& freeze,
                                 int stages) {
  std::vector<Parameter*> kept;
  std::vector<bool> used(freeze.size(), false);
  for (const auto& [name, p] : network.named_parameters()) {
    const std::string layer = name.substr(0, name.rfind('/'));
    const int stage = network.stage_of(layer);
    bool frozen = stage >= 1 && stage <= stages;
    for (std::size_t i = 0; i < freeze.size(); ++i)
      if (matches(freeze[i], layer)) frozen = used[i] = true;
    if (!frozen) kept.push_back(p);
  }
  for (std::size_t i = 0; i < freeze.size(); ++i)
    if (!used[i])
      throw std::invalid_argument("freeze: '" + freeze[i] + "' matches no layer with parameters");
  return kept;
}

std::map<std::string, std::vector<float>> snapshot(const NamedParameters& parameters) {
  std::map<std::string, std::vector<float>> values;
  for (const auto& [name, p] : parameters) {
    const float* w = static_cast<const float*>(p->value.get_data_handle());
    values[name].assign(w, w + p->value.get_desc().get_size() / sizeof(float));
  }
  return values;
}

// Puts back a snapshot; throws when it does not fit (a resume state of another network).
void restore(const NamedParameters& parameters,
             const std::map<std::string, std::vector<float>>& values) {
  for (const auto& [name, p] : parameters) {
    auto it = values.find(name);
    if (it == values.end() || it->second.size() * sizeof(float) != p->value.get_desc().get_size())
      throw std::runtime_error("saved best weights do not fit this network at '" + name + "'");
    std::copy(it->second.begin(), it->second.end(),
              static_cast<float*>(p->value.get_data_handle()));
  }
}

std::string rng_text(const Rng& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

void set_rng(Rng& rng, const std::string& text) {
  std::istringstream in(text);
  in >> rng;
  if (!in) throw std::runtime_error("checkpoint training state: malformed random-number state");
}

// Runs samples through the network in inference mode, `batch` at a time (the last batch is
// padded with zeros), and hands each sample's output row to `use`.
template <class Use>
void run_inference(Network& network, const std::vector<Sample>& samples, int batch, Use use) {
  network.prepare(batch);
  const InputShape& shape = network.input_shape();
  const std::size_t per_image = image_floats(shape);
  const int outputs = network.output_size();
  for (std::size_t start = 0; start < samples.size(); start += batch) {
    const std::size_t count = std::min<std::size_t>(batch, samples.size() - start);
    float* input = network.input();
    for (std::size_t j = 0; j < count; ++j)
      image_to_tensor(samples[start + j].image, shape, input + j * per_image);
    std::fill(input + count * per_image, input + batch * per_image, 0.f);
    const float* out = network.forward(false);
    for (std::size_t j = 0; j < count; ++j) use(start + j, out + j * outputs);
  }
}

// train.allreduce_bucket_mb in bytes.
std::size_t bucket_bytes(double mebibytes) {
  return static_cast<std::size_t>(mebibytes * 1024 * 1024);
}

}  // namespace

Trainer::Trainer(Network& network, const TrainOptions& options, int num_classes, std::uint64_t seed)
    : network_(network), options_(options), classes_(num_classes), seed_(seed) {
  if (network.output_size() != num_classes)
    throw std::invalid_argument("network gives " + std::to_string(network.output_size()) +
                                " outputs for " + std::to_string(num_classes) + " classes");
  if (options.batch < 1 || options.epochs < 1)
    throw std::invalid_argument("epochs and batch must be positive");
}

double Trainer::add_distillation(const float* logits, const float* teacher, int batch,
                                 double loss) {
  const double w = options_.distill.weight;
  float* grad = network_.output_grad();
  // With weight 0 both scalings are exact (x * 1, + 0): plain training, bit for bit.
  for (std::size_t e = 0, n = static_cast<std::size_t>(batch) * classes_; e < n; ++e)
    grad[e] = static_cast<float>(grad[e] * (1 - w));
  const double kd =
      distillation_loss(logits, teacher, batch, classes_, options_.distill.temperature, w, grad);
  return (1 - w) * loss + w * kd;
}

// What one fit() works with from epoch to epoch.
struct Trainer::EpochWork {
  BatchLoader& loader;
  Rng& shuffle_rng;
  Optimizer& optimizer;
  const std::vector<Parameter*>& trained;
  const LossOptions& loss_options;
  int batch;
  BatchSlice slice;  // where this process's part of each whole batch starts
  std::size_t steps;
  std::vector<std::size_t> order;  // shuffled each epoch
  std::vector<int> labels;
  std::vector<float> targets;  // soft targets, only when a batch augmenter mixes them
  std::vector<float> taught;   // the teacher's probabilities, only when distilling
  data_parallel::LayerProcesses* layer_processes = nullptr;    // data-parallel only
  data_parallel::GradientBuckets* gradient_buckets = nullptr;  // data-parallel only
};

void Trainer::teach(EpochWork& w, std::size_t step) {
  if (teacher_) return teacher_(network_.input(), w.batch, w.taught.data());
  // The loader's batch `step`: order[step * whole + offset ...] (batch_loader.hpp).
  const std::size_t first = step * w.slice.whole + w.slice.offset;
  const std::size_t row = static_cast<std::size_t>(classes_);
  for (int i = 0; i < w.batch; ++i) {
    const float* taught = teacher_targets_.data() + w.order[first + i] * row;
    std::copy(taught, taught + row, w.taught.data() + i * row);
  }
}

TrainResult Trainer::fit(const std::vector<Sample>& train, const std::vector<Sample>& val,
                         const Augmentation& augment, const EpochCallback& on_epoch,
                         const StepCallback& on_step) {
  if (train.empty()) throw std::invalid_argument("no training samples");
  check_labels(train, classes_, "train");
  check_labels(val, classes_, "val");
  const int whole = static_cast<int>(std::min<std::size_t>(options_.batch, train.size()));
  const int processes = processes_ ? processes_->size() : 1;
  const int rank = processes_ ? processes_->rank() : 0;
  if (whole % processes != 0)
    throw std::invalid_argument("train.batch " + std::to_string(whole) + " is not a multiple of " +
                                std::to_string(processes) + " processes training data-parallel");
  if (!teacher_targets_.empty() &&
      teacher_targets_.size() != train.size() * static_cast<std::size_t>(classes_))
    throw std::invalid_argument(
        "the teacher's targets hold " + std::to_string(teacher_targets_.size()) +
        " probabilities, not one row of " + std::to_string(classes_) + " for each of " +
        std::to_string(train.size()) + " training images");
  if (!teacher_targets_.empty() && augment.batch)
    throw std::invalid_argument(
        "a batch augmenter (mixup, cutmix) mixes images, and teachers that saw the original "
        "images have one row of targets per image: distil with sees: augmented instead");
  const int batch = whole / processes;  // this process's part of every batch
  network_.prepare(batch);
  network_.rng().seed(mix(seed_, 1));
  Rng shuffle_rng(mix(seed_, 2));

  const LossOptions loss_options = loss_options_for(train);
  const NamedParameters parameters = network_.named_parameters();
  names_.clear();
  for (const auto& [name, p] : parameters) names_[p] = name;
  const std::vector<Parameter*> trained =
      unfrozen(network_, options_.freeze, options_.freeze_stages);
  Optimizer optimizer(options_.optimizer, trained);
  LrSchedule schedule(options_.schedule, options_.optimizer.lr, options_.epochs);
  start_or_resume(optimizer, schedule, shuffle_rng);
  if (processes > 1) {
    data_parallel::broadcast_parameters(*processes_, network_.parameters());
    network_.parameters_changed();
    // Each process its own dropout masks, all derived from the one (resumable) stream.
    if (rank > 0) network_.rng().seed(mix(network_.rng()(), static_cast<std::uint64_t>(rank)));
  }
  optimizer_ = &optimizer;
  schedule_ = &schedule;
  shuffle_rng_ = &shuffle_rng;
  struct Detach {  // the pointers above must not outlive this call
    Trainer& t;
    ~Detach() { t.optimizer_ = nullptr, t.schedule_ = nullptr, t.shuffle_rng_ = nullptr; }
  } detach{*this};

  const BatchSlice slice{rank * batch, whole};
  BatchLoader loader(train, network_.input_shape(), batch, classes_, augment, seed_,
                     options_.loader_threads, slice);
  const std::size_t per_batch = static_cast<std::size_t>(batch) * classes_;
  EpochWork work{loader,
                 shuffle_rng,
                 optimizer,
                 trained,
                 loss_options,
                 batch,
                 slice,
                 train.size() / whole,
                 std::vector<std::size_t>(train.size()),
                 std::vector<int>(batch),
                 std::vector<float>(augment.batch ? per_batch : 0),
                 std::vector<float>(distilling() ? per_batch : 0)};

  // Layers that need the whole batch (synchronised batchnorm) reach the other processes.
  std::optional<data_parallel::LayerProcesses> layer_processes;
  if (processes > 1)
    work.layer_processes = &layer_processes.emplace(*processes_, options_.sync_batchnorm);
  network_.context().processes = work.layer_processes;
  struct DetachProcesses {
    LayerContext& context;
    ~DetachProcesses() { context.processes = nullptr; }
  } detach_processes{network_.context()};
  // Gradients are summed across the processes in buckets, during the backward pass; the first
  // bucket is 1 MiB at most (GradientBuckets keeps it within the others' size).
  std::optional<data_parallel::GradientBuckets> gradient_buckets;
  if (processes > 1)
    work.gradient_buckets = &gradient_buckets.emplace(
        *processes_, trained, bucket_bytes(options_.allreduce_bucket_mb), bucket_bytes(1.0));

  TrainResult result;
  TrainingState& p = progress_;
  for (int epoch = p.epochs_done; epoch < options_.epochs && !p.stopped_early; ++epoch) {
    EpochStats stats = train_epoch(epoch, schedule.lr(epoch), work, on_step);
    if (!val.empty()) validate(stats, val, whole);
    select(stats, parameters, !val.empty());
    schedule.observe(stats.best);
    result.history.push_back(stats);
    if (on_epoch) on_epoch(stats);
  }
  result.best_epoch = p.best_epoch;
  result.stopped_early = p.stopped_early;
  if (p.best_epoch > 0) {
    restore(parameters, p.best_weights);
    network_.parameters_changed();
  }
  return result;
}

LossOptions Trainer::loss_options_for(const std::vector<Sample>& train) const {
  LossOptions loss_options{options_.label_smoothing, {}};
  if (options_.class_weights == options::ClassWeights::balanced) {
    std::vector<int> labels;
    for (const Sample& s : train) labels.push_back(s.label);
    loss_options.class_weights = balanced_class_weights(labels, classes_);
  }
  return loss_options;
}

void Trainer::start_or_resume(Optimizer& optimizer, LrSchedule& schedule, Rng& shuffle_rng) {
  progress_ = TrainingState{};
  if (!resume_) return;
  progress_ = std::move(*resume_);
  resume_.reset();
  optimizer.restore(progress_.optimizer_steps, progress_.moments, names_);
  progress_.moments.clear();
  schedule.restore(progress_.plateau_scale, progress_.plateau_wait);
  set_rng(shuffle_rng, progress_.shuffle_rng);
  set_rng(network_.rng(), progress_.network_rng);
}

EpochStats Trainer::train_epoch(int epoch, double lr, EpochWork& w, const StepCallback& on_step) {
  const auto start = std::chrono::steady_clock::now();
  EpochStats stats;
  stats.epoch = epoch + 1;
  stats.lr = lr;
  // From the same start every epoch, so the order depends on the rng state alone (resumable).
  std::iota(w.order.begin(), w.order.end(), 0);
  std::shuffle(w.order.begin(), w.order.end(), w.shuffle_rng);
  w.loader.start_epoch(w.order, epoch);
  // Rank 0 validates on whole batches: back to this process's part.
  if (network_.batch() != w.batch) network_.prepare(w.batch);
  metrics::Confusion confusion(classes_);
  double loss_sum = 0;
  for (std::size_t step = 0; step < w.steps; ++step) {
    w.loader.next(network_.input(), w.labels.data(),
                  w.targets.empty() ? nullptr : w.targets.data());
    if (distilling()) teach(w, step);
    const float* logits = network_.forward(true);
    double loss = w.targets.empty()
                      ? softmax_cross_entropy(logits, w.labels.data(), w.batch, classes_,
                                              w.loss_options, network_.output_grad())
                      : soft_cross_entropy(logits, w.targets.data(), w.batch, classes_,
                                           w.loss_options, network_.output_grad());
    if (distilling()) loss = add_distillation(logits, w.taught.data(), w.batch, loss);
    for (int j = 0; j < w.batch; ++j)
      confusion.add(w.labels[j], metrics::argmax(logits + j * classes_, classes_));
    if (w.layer_processes) w.layer_processes->set_loss_weight(loss_weight(w));
    bool stop = false;
    if (w.gradient_buckets) {
      w.gradient_buckets->begin(loss_weight(w));
      if (w.gradient_buckets->overlaps())
        network_.backward(
            [&w](const std::vector<Parameter*>& p) { w.gradient_buckets->layer_done(p); });
      else
        network_.backward();
      stop = stop_requested_ && stop_requested_();
      loss = w.gradient_buckets->finish(loss, stop);
    } else {
      network_.backward();
      stop = stop_requested_ && stop_requested_();
    }
    // After combining: every process sees the same loss, so all of them stop together.
    if (!std::isfinite(loss))
      throw std::runtime_error("training diverged: loss is " + std::to_string(loss) + " in epoch " +
                               std::to_string(epoch + 1) + " (lower the learning rate?)");
    loss_sum += loss;
    if (options_.grad_clip > 0) clip_gradients(w.trained, options_.grad_clip);
    w.optimizer.step(step_lr_ ? step_lr_(w.optimizer.steps()) : stats.lr);
    if (on_step) on_step(stats.epoch, static_cast<int>(step + 1), static_cast<int>(w.steps), loss);
    if (stop) throw TrainingStopped();
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int processes = processes_ ? processes_->size() : 1;
  if (processes > 1) confusion = data_parallel::sum_confusion(*processes_, confusion, classes_);
  stats.images_per_second =
      stats.seconds > 0 ? static_cast<double>(w.steps) * w.batch * processes / stats.seconds : 0;
  stats.train_loss = loss_sum / w.steps;
  stats.train_accuracy = confusion.accuracy();
  stats.train_macro_f1 = confusion.macro_f1();
  return stats;
}

void Trainer::validate(EpochStats& stats, const std::vector<Sample>& val, int batch) {
  double figures[3] = {0, 0, 0};
  if (!processes_ || processes_->rank() == 0) {
    const Evaluation e = evaluate(network_, val, classes_, batch);
    figures[0] = e.loss, figures[1] = e.accuracy, figures[2] = e.macro_f1;
  }
  if (processes_ && processes_->size() > 1) processes_->broadcast(figures, 3, 0);
  stats.val_loss = figures[0];
  stats.val_accuracy = figures[1];
  stats.val_macro_f1 = figures[2];
}

// The loss's normaliser on this process: its images, or the sum of their class weights.
double Trainer::loss_weight(const EpochWork& w) {
  double weight = w.batch;
  if (!w.loss_options.class_weights.empty()) {
    weight = 0;
    for (int j = 0; j < w.batch; ++j) weight += w.loss_options.class_weights[w.labels[j]];
  }
  return weight;
}

void Trainer::select(EpochStats& stats, const NamedParameters& parameters, bool has_val) {
  TrainingState& p = progress_;
  const double score = selection_score(options_.select_on, stats, has_val);
  stats.best = p.best_epoch == 0 || score > p.best_score;
  if (stats.best) {
    p.best_score = score;
    p.best_weights = snapshot(parameters);
    p.best_epoch = stats.epoch;
    p.since_best = 0;
  } else {
    ++p.since_best;
  }
  p.epochs_done = stats.epoch;
  p.stopped_early = options_.early_stopping_patience > 0 &&
                    p.since_best >= options_.early_stopping_patience &&
                    stats.epoch < options_.epochs;
}

TrainingState Trainer::state() const {
  if (!optimizer_) throw std::logic_error("Trainer::state() is only valid during fit()");
  TrainingState s = progress_;
  s.optimizer_steps = optimizer_->steps();
  s.moments = optimizer_->moments(names_);
  s.plateau_scale = schedule_->plateau_scale();
  s.plateau_wait = schedule_->plateau_wait();
  s.shuffle_rng = rng_text(*shuffle_rng_);
  s.network_rng = rng_text(network_.rng());
  return s;
}

Evaluation evaluate(Network& network, const std::vector<Sample>& samples, int num_classes,
                    int batch) {
  Evaluation result;
  if (samples.empty()) return result;
  metrics::Confusion confusion(num_classes);
  result.predictions.resize(samples.size());
  double loss_sum = 0;
  const LossOptions plain;
  run_inference(network, samples, batch, [&](std::size_t i, const float* logits) {
    const int label = samples[i].label;
    loss_sum += softmax_cross_entropy(logits, &label, 1, num_classes, plain, nullptr);
    result.predictions[i] = metrics::argmax(logits, num_classes);
    confusion.add(label, result.predictions[i]);
  });
  result.loss = loss_sum / samples.size();
  result.accuracy = confusion.accuracy();
  result.macro_f1 = confusion.macro_f1();
  return result;
}

std::vector<std::vector<float>> predict(Network& network, const std::vector<Sample>& samples,
                                        int batch) {
  std::vector<std::vector<float>> probabilities(samples.size());
  const int classes = network.output_size();
  run_inference(network, samples, batch, [&](std::size_t i, const float* logits) {
    probabilities[i].resize(classes);
    softmax_rows(logits, 1, classes, probabilities[i].data());
  });
  return probabilities;
}

}  // namespace ferlab::engine
