#include "assembly/model_bundle.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "assembly/data_stages.hpp"
#include "assembly/network_setup.hpp"
#include "engine/checkpoint.hpp"
#include "engine/trainer.hpp"
#include "models/shipped_models.hpp"
#include "spec/spec_loader.hpp"
#include "storage/run_outputs.hpp"

namespace ferlab::assembly {
namespace {

// Preprocessors report per-image oddities (no face found inside the crop, ...); prediction has
// no run to record them with, so they go to stderr.
class StderrSink final : public EventSink {
 public:
  void warn(const std::string& code, const std::string& message) override {
    std::fprintf(stderr, "warning (%s): %s\n", code.c_str(), message.c_str());
  }
  void count(const std::string&, long) override {}
};

const std::string& required(const engine::CheckpointInfo& info, const std::string& key,
                            const std::filesystem::path& file) {
  auto it = info.metadata.find(key);
  if (it == info.metadata.end() || it->second.empty())
    throw std::runtime_error(fmt::format(
        "{}: the checkpoint has no '{}' metadata; prediction needs a checkpoint written by "
        "`ferlab run` (spec, classes, input_shape)",
        file.string(), key));
  return it->second;
}

InputShape parse_shape(const std::string& text, const std::filesystem::path& file) {
  InputShape shape{};
  char x1 = 0, x2 = 0;
  std::istringstream in(text);
  if (!(in >> shape.channels >> x1 >> shape.height >> x2 >> shape.width) || x1 != 'x' ||
      x2 != 'x' || !in.eof() || shape.channels <= 0 || shape.height <= 0 || shape.width <= 0)
    throw std::runtime_error(
        fmt::format("{}: input_shape '{}' is not channels x height x width (e.g. 1x48x48)",
                    file.string(), text));
  return shape;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

std::string fitted_state_key(std::size_t index) {
  return fmt::format("preprocess.{}.state", index);
}

bool is_run_id(const std::string& source) {
  return !source.empty() && std::all_of(source.begin(), source.end(),
                                        [](unsigned char c) { return c >= '0' && c <= '9'; });
}

std::filesystem::path model_file(const std::string& source, const std::string& db) {
  if (std::filesystem::exists(source)) return source;
  if (!is_run_id(source)) {
    if (auto shipped = models::find_shipped_model(source)) {
      if (shipped->is_ensemble())
        throw std::runtime_error(fmt::format(
            "{} is a shipped ensemble ({}), not one model: here a single model is needed", source,
            fmt::join(shipped->members, " + ")));
      return shipped->file;
    }
    std::string names;
    for (const models::ShippedModel& m : models::shipped_models())
      names += (names.empty() ? "" : ", ") + m.name;
    throw std::runtime_error(fmt::format(
        "{}: no such checkpoint file, run id or shipped model (shipped: {}; `ferlab models` "
        "lists them)",
        source, names.empty() ? "none found" : names));
  }
  const std::int64_t run = std::stoll(source);
  storage::Database database(db, false);
  for (const storage::Artifact& a : storage::run_artifacts(database, run))
    if (a.kind == "checkpoint" && a.name == "best" && a.path) {
      std::filesystem::path path(*a.path);
      return path.is_absolute() ? path : std::filesystem::path(db).parent_path() / path;
    }
  throw std::runtime_error(fmt::format(
      "{}: run {} has no best checkpoint (was it trained to the end of an epoch?)", db, run));
}

ModelBundle load_model(const kernel::PluginCatalog& catalog, const std::string& source,
                       const std::string& db) {
  ModelBundle bundle;
  bundle.file = model_file(source, db);
  bundle.label = std::filesystem::exists(source) ? bundle.file.stem().string()
                 : is_run_id(source)             ? "run " + source
                                                 : source;  // a shipped model's name
  const engine::CheckpointInfo info = engine::read_checkpoint_info(bundle.file);
  bundle.metadata = info.metadata;
  const std::string name = bundle.file.string();
  bundle.spec_text = required(info, "spec", bundle.file);
  bundle.classes = split_lines(required(info, "classes", bundle.file));
  bundle.shape = parse_shape(required(info, "input_shape", bundle.file), bundle.file);

  spec::LoadedSpec loaded =
      spec::load_spec_text(bundle.spec_text, name + " (its spec)", {}, catalog);
  if (!loaded.problems.empty() || loaded.runs.empty())
    throw std::runtime_error(
        fmt::format("{}: the spec it carries no longer validates with these plugins: {}", name,
                    loaded.problems.empty() ? "no run" : loaded.problems.all().front().text()));
  bundle.run = loaded.runs.front();
  const spec::RunSpec& run = bundle.run;
  const int classes = static_cast<int>(bundle.classes.size());
  try {
    bundle.network = build_network(catalog, run, bundle.shape, classes);
  } catch (const Bf16Unavailable& e) {
    // bf16 convolutions speed up training where the CPU has AVX-512; the weights are f32 (or
    // f16), so a model trained with them predicts with f32 convolutions elsewhere.
    if (!run.backbone)
      throw std::runtime_error(fmt::format("{}: cannot rebuild its network: {}", name, e.what()));
    bundle.run.backbone->params.set("conv_precision", std::string("f32"));
    bundle.network = build_network(catalog, bundle.run, bundle.shape, classes);
    std::fprintf(stderr,
                 "warning: %s was trained with bf16 convolutions, which this CPU lacks: it "
                 "predicts with f32 ones (results may differ in the last digits)\n",
                 name.c_str());
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: cannot rebuild its network: {}", name, e.what()));
  }
  engine::load_checkpoint(bundle.file, *bundle.network);
  for (std::size_t i = 0; i < run.preprocess.size(); ++i) {
    const spec::PluginCall& call = run.preprocess[i];
    std::shared_ptr<Preprocessor> step = make_preprocessor(catalog, call);
    auto fitted = info.metadata.find(fitted_state_key(i));
    std::string state = fitted == info.metadata.end() ? std::string() : fitted->second;
    try {
      step->restore(state);
    } catch (const std::exception& e) {
      throw std::runtime_error(
          fmt::format("{}: preprocessing step {} ('{}'): {}", name, i + 1, call.plugin, e.what()));
    }
    bundle.preprocess.push_back({call.plugin, std::move(step), std::move(state)});
  }
  return bundle;
}

cv::Mat ModelBundle::prepare(const cv::Mat& face) const {
  static StderrSink sink;
  cv::Mat image = face;
  for (const Step& s : preprocess) {
    try {
      image = apply_preprocessor(*s.step, image, sink);
    } catch (const std::exception& e) {
      throw std::runtime_error(fmt::format("preprocessor '{}': {}", s.plugin, e.what()));
    }
  }
  return image;
}

std::vector<std::vector<float>> ModelBundle::classify(const std::vector<cv::Mat>& faces) {
  std::vector<Sample> samples;
  samples.reserve(faces.size());
  for (const cv::Mat& face : faces) samples.push_back({prepare(face), 0, {}});
  if (samples.empty()) return {};
  return engine::predict(*network, samples, static_cast<int>(samples.size()));
}

}  // namespace ferlab::assembly
