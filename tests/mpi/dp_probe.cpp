// Trains a small convolutional network for a few epochs on generated images, data-parallel over
// the processes mpirun started (one process without mpirun), and writes what a test compares:
//   OUT.rank<R>.steps   after every step: the step's loss and a checksum of every weight's bits
//   OUT.rank<R>.epochs  every epoch's training loss, accuracy and validation figures
//   OUT.rank<R>.buckets the gradient sums started per step, on average (several processes)
// Usage: ferlab-dp-probe OUT [--kill-rank R --kill-step S] [--bucket-mb M]
//   (SIGKILL on rank R at step S; gradients summed in buckets of M MiB, default 25)
#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "assembly/plugin_layers.hpp"
#include "engine/initialize.hpp"
#include "engine/threads.hpp"
#include "engine/trainer.hpp"
#include "loader/plugin_catalog.hpp"
#include "mpi/mpi_collective.hpp"

using namespace ferlab;

namespace {

// Four classes of 12x12 images told apart by where a bright square sits, with noise.
std::vector<Sample> images(int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.f, 90.f);
  std::vector<Sample> out;
  for (int i = 0; i < count; ++i) {
    const int label = i % 4;
    cv::Mat image(12, 12, CV_8UC1);
    for (int y = 0; y < 12; ++y)
      for (int x = 0; x < 12; ++x) {
        const bool lit = (y < 6) == (label < 2) && (x < 6) == (label % 2 == 0);
        image.at<std::uint8_t>(y, x) =
            cv::saturate_cast<std::uint8_t>((lit ? 170 : 70) + noise(rng));
      }
    out.push_back({image, label, "image-" + std::to_string(i)});
  }
  return out;
}

LayerDef layer(const std::string& name, const std::string& type,
               std::map<std::string, Value> p = {}) {
  return LayerDef{name, type, {}, Params(std::move(p))};
}

// The sum of every weight's bits, position-weighted: equal only for equal weights.
std::uint64_t checksum(engine::Network& network) {
  std::uint64_t sum = 0, position = 1;
  for (Parameter* p : network.parameters()) {
    if (!p->trainable()) continue;
    const auto* v = static_cast<const std::uint32_t*>(p->value.get_data_handle());
    for (std::size_t i = 0, n = p->value.get_desc().get_size() / 4; i < n; ++i)
      sum += v[i] * (position++ | 1);
  }
  return sum;
}

int train(int argc, char** argv, engine::Collective* processes) {
  const std::string out = argv[1];
  int kill_rank = -1, kill_step = -1;
  double bucket_mb = 25;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--kill-rank") == 0) kill_rank = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--kill-step") == 0) kill_step = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--bucket-mb") == 0) bucket_mb = std::stod(argv[i + 1]);
  }
  const int rank = processes ? processes->rank() : 0;
  engine::set_threads(1);
  kernel::LoadDiagnostics diagnostics;
  const kernel::PluginCatalog catalog =
      kernel::PluginCatalog::load({FERLAB_BINARY_DIR "/lib/ferlab/plugins"}, diagnostics);
  const NetworkDef def{
      {layer("c1", "convolution", {{"filters", std::int64_t{6}}, {"padding", std::int64_t{1}}}),
       layer("r1", "relu"), layer("p1", "max-pool"), layer("flat", "flatten"),
       layer("d1", "dense", {{"units", std::int64_t{16}}}), layer("r2", "relu"),
       layer("d2", "dense", {{"units", std::int64_t{4}}})}};
  engine::Network network(def, assembly::catalog_layer_factory(catalog), InputShape{1, 12, 12});
  // Each process initialises from its own seed: the trainer must start everyone from rank 0's.
  engine::initialize_parameters(network.parameters(), options::Init::he, 5 + rank);

  options::TrainOptions options;
  options.epochs = 3;
  options.batch = 16;
  options.optimizer.name = options::Optimizer::sgd;
  options.optimizer.lr = 0.01;
  options.optimizer.momentum = 0.9;
  options.loader_threads = 1;
  options.allreduce_bucket_mb = bucket_mb;
  engine::Trainer trainer(network, options, 4, 11);
  trainer.set_collective(processes);
  std::ofstream steps(fmt::format("{}.rank{}.steps", out, rank)),
      epochs(fmt::format("{}.rank{}.epochs", out, rank));
  const std::vector<Sample> train_set = images(160, 1), val = images(48, 2);
  int step_count = 0;
  trainer.fit(
      train_set, val, {},
      [&](const engine::EpochStats& s) {
        epochs << fmt::format("{} {:.17g} {:.17g} {:.17g} {:.17g}\n", s.epoch, s.train_loss,
                              s.train_accuracy, s.val_loss, s.val_accuracy);
      },
      [&](int epoch, int step, int, double loss) {
        if (rank == kill_rank && ++step_count == kill_step) ::raise(SIGKILL);
        steps << fmt::format("{} {} {:.17g} {}\n", epoch, step, loss, checksum(network))
              << std::flush;
      });
  if (processes) {
    const auto& traffic = processes->gradient_traffic();
    std::ofstream(fmt::format("{}.rank{}.buckets", out, rank))
        << static_cast<double>(traffic.buckets) / static_cast<double>(traffic.steps) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ferlab-dp-probe OUT [--kill-rank R --kill-step S]\n");
    return 2;
  }
  if (!mpi::launched_by_mpi()) return train(argc, argv, nullptr);
  mpi::MpiCollective processes(argc, argv);
  try {
    return train(argc, argv, &processes);
  } catch (const std::exception& e) {
    processes.abort(e.what(), 1);
  }
}
