// ferlab-bench-engine: times the reference networks in ferlab's engine and prints one JSON
// object per line (runs in seconds) for bench/run_engine_bench, which interleaves these runs
// with the PyTorch and OpenCV DNN peers and does the comparing.
//
//   ferlab-bench-engine --networks seed-cnn,vgg --measures info,train,latency,throughput,sgemm
//   ferlab-bench-engine --networks vgg --measures memory     (alone: peak RSS of this process)
//   ferlab-bench-engine --networks vgg --measures profile    (per-layer times)
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "assembly/plugin_layers.hpp"
#include "bench_network.hpp"
#include "engine/threads.hpp"
#include "layer_profile.hpp"
#include "measures.hpp"

namespace {

using namespace ferlab;
using nlohmann::json;

struct Options {
  std::vector<std::string> networks{"seed-cnn", "vgg"};
  std::vector<std::string> measures{"info", "train", "latency", "throughput", "sgemm"};
  int threads = 2;
  bench::Repeat repeat;    // train and throughput
  int latency_runs = 200;  // the issue asks for the median of at least 200
  int sgemm_n = 2048;
  int train_batch = 64, throughput_batch = 256, memory_steps = 3;
  std::string conv_algorithm = "direct";  // the backbones' conv_algorithm
  std::string conv_precision = "f32";     // and conv_precision
  Params backbone() const {
    return Params({{"conv_algorithm", conv_algorithm}, {"conv_precision", conv_precision}});
  }
};

void emit(json line) { std::cout << line.dump() << std::endl; }

json runs_line(const std::string& network, const std::string& measure, int batch,
               const std::vector<double>& runs) {
  return {{"side", "ferlab"},
          {"network", network},
          {"measure", measure},
          {"batch", batch},
          {"runs", runs}};
}

// Peak resident memory of training: the process's high-water mark after a few steps, and
// what the process held before the network existed (runtime, plugins).
void measure_memory(const std::string& name, const Options& o) {
  const long baseline = bench::status_kb("VmRSS");
  auto network = bench::reference_network(name, o.backbone());
  bench::time_training(*network, o.train_batch, {1, o.memory_steps, 0});
  emit({{"side", "ferlab"},
        {"network", name},
        {"measure", "memory"},
        {"batch", o.train_batch},
        {"baseline_kb", baseline},
        {"peak_kb", bench::status_kb("VmHWM")}});
}

json profile_phase(bench::LayerProfile& profile, const char* phase, double seconds_total) {
  json layers = json::array();
  for (const auto& l : profile.layers()) {
    const auto per = [](double s, int calls) { return calls ? 1e3 * s / calls : 0.0; };
    layers.push_back({{"name", l->name},
                      {"type", l->type},
                      {"forward_ms", per(l->forward_seconds, l->forward_calls)},
                      {"backward_ms", per(l->backward_seconds, l->backward_calls)}});
  }
  return {{"phase", phase}, {"step_ms", 1e3 * seconds_total}, {"layers", layers}};
}

// Where the time goes, per layer: a training step at the training batch, inference at 1 and
// at the throughput batch. Medians are not kept per layer: these are means over the runs.
void measure_profile(const std::string& name, const Options& o) {
  bench::LayerProfile profile;
  auto network = bench::reference_network(
      name, o.backbone(), profile.wrap(assembly::catalog_layer_factory(bench::catalog())));
  json phases = json::array();
  const auto phase = [&](const char* label, auto&& run) {
    run();  // warm-up, then reset the counters
    profile.reset();
    const auto runs = run();
    phases.push_back(profile_phase(profile, label, bench::median(runs)));
  };
  phase("train", [&] { return bench::time_training(*network, o.train_batch, o.repeat); });
  phase("latency", [&] { return bench::time_inference(*network, 1, {5, o.latency_runs, 0}); });
  phase("throughput",
        [&] { return bench::time_inference(*network, o.throughput_batch, o.repeat); });
  emit({{"side", "ferlab"}, {"network", name}, {"measure", "profile"}, {"phases", phases}});
}

void run(const Options& o) {
  if (!engine::set_threads(o.threads)) throw std::runtime_error("no OpenMP runtime to set threads");
  bench::catalog();  // load plugins before any baseline is taken
  for (const std::string& measure : o.measures) {
    if (measure == "sgemm") {
      emit({{"side", "ferlab"},
            {"measure", "sgemm"},
            {"n", o.sgemm_n},
            {"threads", o.threads},
            {"runs",
             bench::time_sgemm(o.sgemm_n, {1, o.repeat.min_runs, o.repeat.min_seconds / 2})}});
      continue;
    }
    for (const std::string& name : o.networks) {
      if (measure == "memory") {
        measure_memory(name, o);
      } else if (measure == "profile") {
        measure_profile(name, o);
      } else {
        auto network = bench::reference_network(name, o.backbone());
        if (measure == "info") {
          emit({{"side", "ferlab"},
                {"network", name},
                {"measure", "info"},
                {"parameters", network->parameter_count()},
                {"macs", network->macs()},
                {"threads", engine::max_threads()}});
        } else if (measure == "train") {
          emit(runs_line(name, measure, o.train_batch,
                         bench::time_training(*network, o.train_batch, o.repeat)));
        } else if (measure == "latency") {
          emit(runs_line(name, measure, 1,
                         bench::time_inference(*network, 1, {20, o.latency_runs, 0})));
        } else if (measure == "throughput") {
          emit(runs_line(name, measure, o.throughput_batch,
                         bench::time_inference(*network, o.throughput_batch, o.repeat)));
        } else {
          throw std::invalid_argument("unknown measure '" + measure + "'");
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Times ferlab's engine on the reference seed-cnn and vgg (JSON lines)"};
  app.add_option("--networks", o.networks, "backbones, comma separated")->delimiter(',');
  app.add_option("--measures", o.measures,
                 "info, train, latency, throughput, sgemm, memory, profile")
      ->delimiter(',');
  app.add_option("--threads", o.threads, "oneDNN (OpenMP) threads")->check(CLI::PositiveNumber);
  app.add_option("--seconds", o.repeat.min_seconds, "least timed seconds per measure");
  app.add_option("--min-runs", o.repeat.min_runs, "least timed runs per measure");
  app.add_option("--warmup", o.repeat.warmup, "untimed runs first");
  app.add_option("--latency-runs", o.latency_runs, "timed batch-1 runs")
      ->check(CLI::PositiveNumber);
  app.add_option("--sgemm-n", o.sgemm_n, "sgemm size")->check(CLI::PositiveNumber);
  app.add_option("--conv-algorithm", o.conv_algorithm,
                 "the backbones' conv_algorithm: direct (default) or auto (Winograd)")
      ->check(CLI::IsMember({"direct", "auto"}));
  app.add_option("--conv-precision", o.conv_precision,
                 "the backbones' conv_precision: f32 (default) or bf16")
      ->check(CLI::IsMember({"f32", "bf16"}));
  CLI11_PARSE(app, argc, argv);
  try {
    run(o);
  } catch (const std::exception& e) {
    std::cerr << "ferlab-bench-engine: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
