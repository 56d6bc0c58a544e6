// ferlab-bench-loader: the data loader's speed (issue 4).
//  1. augmented 48x48 images per second through hflip, rotate, random-crop, photometric and
//     random-erasing, prepared by the batch loader's worker threads (augmentation and the
//     conversion to float tensors, as training gets them);
//  2. with --fer2013 DIR, FER2013's first-time preparation (decoding, face-crop, CLAHE) in
//     images per second, the pixel memory it takes, and how long a second run takes to get the
//     same images from the cache (hashing the dataset files, then reading the cache file).
// Medians over rounds. bench/run_loader_bench builds it, unpacks FER2013 and runs it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <ferlab/augmenter.hpp>
#include <ferlab/schema_check.hpp>
#include <filesystem>
#include <numeric>
#include <opencv2/core/utility.hpp>

#include "assembly/data_stages.hpp"
#include "engine/batch_loader.hpp"
#include "graph/experiment_graph.hpp"
#include "loader/plugin_catalog.hpp"
#include "run/data_cache.hpp"
#include "stats.hpp"

namespace {

namespace fs = std::filesystem;
using namespace ferlab;
using bench::median;
using bench::now_seconds;

spec::PluginCall plugin_call(const kernel::PluginCatalog& catalog, Kind kind,
                             const std::string& name, std::map<std::string, Value> given = {}) {
  const kernel::PluginInfo& info = catalog.require(kind, name);
  std::vector<std::string> problems;
  Params params = resolve_params(info.factory.schema, Params(std::move(given)), problems);
  if (!problems.empty()) throw std::runtime_error(name + ": " + problems.front());
  return {name, info.library->version, params, {}};
}

// Images per second of each round: one pass over `count` random 48x48 images.
std::vector<double> augmentation_rounds(const kernel::PluginCatalog& catalog, int threads,
                                        int count, int rounds) {
  std::vector<Sample> samples(count);
  cv::RNG rng(1);
  for (int i = 0; i < count; ++i) {
    samples[i].image.create(48, 48, CV_8UC1);
    rng.fill(samples[i].image, cv::RNG::UNIFORM, 0, 256);
    samples[i].label = i % 7;
  }
  std::vector<std::shared_ptr<Augmenter>> steps;
  for (const char* name : {"hflip", "rotate", "random-crop", "photometric", "random-erasing"}) {
    spec::PluginCall call = plugin_call(catalog, Kind::augmenter, name);
    steps.push_back(catalog.create<Augmenter>(call.plugin, call.params));
  }
  engine::Augmentation augmentation([steps](cv::Mat& image, Rng& r) {
    for (const auto& step : steps) step->apply(image, r);
  });
  const int batch = 64;
  engine::BatchLoader loader(samples, InputShape{1, 48, 48}, batch, 7, augmentation, 1, threads);
  std::vector<float> input(batch * 48 * 48);
  std::vector<int> labels(batch);
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> rates;
  for (int round = -1; round < rounds; ++round) {  // round -1 warms up
    const double start = now_seconds();
    loader.start_epoch(order, round + 1);
    for (std::size_t s = 0; s < loader.steps(); ++s) loader.next(input.data(), labels.data());
    if (round >= 0) rates.push_back(loader.steps() * batch / (now_seconds() - start));
  }
  return rates;
}

std::size_t pixel_bytes(const DatasetContents& data) {
  std::size_t bytes = 0;
  for (const auto& [split, samples] : data.splits)
    for (const Sample& s : samples) bytes += s.image.total() * s.image.elemSize();
  return bytes;
}

std::size_t image_count(const DatasetContents& data) {
  std::size_t n = 0;
  for (const auto& [split, samples] : data.splits) n += samples.size();
  return n;
}

void fer2013(const kernel::PluginCatalog& catalog, const fs::path& root, const fs::path& cache_dir,
             int rounds) {
  const spec::PluginCall dataset = plugin_call(catalog, Kind::dataset, "fer2013",
                                               {{"path", Value(fs::absolute(root).string())}});
  const std::vector<spec::PluginCall> chain = {
      plugin_call(catalog, Kind::preprocessor, "face-crop"),
      plugin_call(catalog, Kind::preprocessor, "clahe")};
  std::uint64_t key = graph::stage_key(0, "dataset", dataset);
  for (const auto& call : chain) key = graph::stage_key(key, "preprocess", call);

  std::vector<double> first, second, decode_s;
  std::size_t images = 0, bytes = 0;
  for (int round = 0; round < rounds; ++round) {
    fs::remove_all(cache_dir);
    run::DataCache cache(cache_dir);
    run::EventLog events;
    double t = now_seconds();
    // A first run: hash the files (the cache key), decode, preprocess, store.
    const std::uint64_t files = run::dataset_files_hash(dataset);
    DatasetContents data = assembly::load_dataset(catalog, dataset, events);
    decode_s.push_back(now_seconds() - t);
    for (const auto& call : chain) data = assembly::preprocess(catalog, call, data, events);
    cache.store(run::cache_key(key, files), data, events);
    first.push_back(now_seconds() - t);
    images = image_count(data);
    bytes = pixel_bytes(data);
    // A second run: hash the files again, read the cache.
    t = now_seconds();
    run::EventLog replayed;
    std::vector<std::string> fitted;
    auto cached =
        cache.load(run::cache_key(key, run::dataset_files_hash(dataset)), replayed, fitted);
    second.push_back(now_seconds() - t);
    if (!cached || image_count(*cached) != images) throw std::runtime_error("cache miss");
    for (const auto& [code, entry] : events.entries())
      fmt::print("  event {}: {}\n", code, entry.count);
  }
  fs::remove_all(cache_dir);
  fmt::print(
      "fer2013 first-time decode + face-crop + clahe: {} images in {:.1f} s "
      "(decode {:.1f} s): {:.0f} images/s\n",
      images, median(first), median(decode_s), images / median(first));
  fmt::print("fer2013 pixels held after preprocessing: {:.1f} MB (8-bit)\n", bytes / 1e6);
  fmt::print(
      "fer2013 second run from the cache (hash files + read): {:.2f} s = 1/{:.0f} of the "
      "first\n",
      median(second), median(first) / median(second));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("ferlab data loader benchmark");
  int threads = 2, count = 20000, rounds = 5, fer_rounds = 1;
  std::string plugins = FERLAB_BUILD_PLUGIN_DIR, fer_root, cache_dir;
  app.add_option("--threads", threads, "loader threads (and OpenCV's)")->capture_default_str();
  app.add_option("--images", count, "48x48 images per augmentation round")->capture_default_str();
  app.add_option("--rounds", rounds, "augmentation rounds")->capture_default_str();
  app.add_option("--fer2013", fer_root, "unpacked FER2013 folder (skipped when not given)");
  app.add_option("--fer-rounds", fer_rounds, "FER2013 rounds")->capture_default_str();
  app.add_option("--cache-dir", cache_dir, "scratch folder for the FER2013 cache files");
  app.add_option("--plugins", plugins, "plugin folder")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  cv::setNumThreads(threads);

  kernel::LoadDiagnostics diagnostics;
  auto catalog = kernel::PluginCatalog::load({plugins}, diagnostics);
  const auto rates = augmentation_rounds(catalog, threads, count, rounds);
  fmt::print(
      "augmentation (hflip, rotate, random-crop, photometric, random-erasing), 48x48, "
      "{} threads: {:.0f} images/s (median of {} rounds, range {:.0f}-{:.0f})\n",
      threads, median(rates), rates.size(), *std::min_element(rates.begin(), rates.end()),
      *std::max_element(rates.begin(), rates.end()));
  if (fer_root.empty() || !fs::is_directory(fer_root)) {
    fmt::print("fer2013: skipped ({})\n",
               fer_root.empty() ? "no --fer2013 folder given" : fer_root + " is not a folder");
    return 0;
  }
  fer2013(catalog, fer_root,
          cache_dir.empty() ? fs::path(fer_root) / "../loader-bench-cache" : fs::path(cache_dir),
          fer_rounds);
  return 0;
}
