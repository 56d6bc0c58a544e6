#include "assembly/network_setup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ferlab/backbone.hpp>
#include <ferlab/batch_augmenter.hpp>

#include "assembly/plugin_layers.hpp"
#include "engine/checkpoint.hpp"
#include "engine/initialize.hpp"
#include "models/shipped_models.hpp"

namespace ferlab::assembly {

InputShape training_input_shape(const DatasetContents& data) {
  const cv::Mat& first = data.splits.at("train").front().image;
  return {first.channels(), first.rows, first.cols};
}

std::unique_ptr<engine::Network> build_network(const kernel::PluginCatalog& catalog,
                                               const spec::RunSpec& run, const InputShape& shape,
                                               int classes) {
  NetworkDef def = run.layers;
  if (run.backbone)
    def =
        catalog.create<Backbone>(run.backbone->plugin, run.backbone->params)->build(shape, classes);
  std::unique_ptr<engine::Network> network;
  try {
    network =
        std::make_unique<engine::Network>(def, assembly::catalog_layer_factory(catalog), shape);
  } catch (const std::exception& e) {
    // The convolution layer says "precision bf16 needs a CPU with AVX-512"; the spec's reader
    // needs the key that asked for it and what to do instead.
    if (std::string(e.what()).find("precision bf16 needs") == std::string::npos) throw;
    const std::string way_out =
        run.backbone ? "set model.backbone.conv_precision to f32 (ferlab run ... --set "
                       "model.backbone.conv_precision=f32)"
                     : "give its convolutions precision: f32 in model.layers";
    throw Bf16Unavailable(fmt::format(
        "{}: bf16 convolutions need a CPU with AVX-512, and this one has none ({}). "
        "The same network trains with f32 convolutions, more slowly: {}",
        run.backbone ? "model.backbone.conv_precision" : "model.layers", e.what(), way_out));
  }
  if (network->output_size() != classes)
    throw std::invalid_argument(fmt::format(
        "the network ends in {} outputs but the dataset has {} classes; its last layer must "
        "give one output per class",
        network->output_size(), classes));
  return network;
}

std::string initialize_network(engine::Network& network, const spec::RunSpec& run) {
  engine::initialize_parameters(network.parameters(), run.train.init,
                                static_cast<std::uint64_t>(run.seed));
  network.parameters_changed();
  if (run.init_from.empty()) return {};
  // A checkpoint file, or the name of a shipped model (`ferlab models`).
  std::filesystem::path file = run.init_from;
  if (!std::filesystem::exists(file))
    if (auto shipped = models::find_shipped_model(run.init_from)) {
      if (shipped->is_ensemble())
        throw std::runtime_error(run.init_from +
                                 ": model.init_from names a shipped ensemble; fine-tuning starts "
                                 "from one model (distil the ensemble with train.distill instead)");
      file = shipped->file;
    }
  const engine::LoadReport report = engine::load_checkpoint(file, network, true);
  if (report.loaded.empty())
    throw std::runtime_error(run.init_from +
                             ": model.init_from shares no tensor (same name and "
                             "shape) with this network");
  std::string message = fmt::format("fine-tuning from {} (epoch {}): {} tensors loaded",
                                    file.string(), report.info.epoch, report.loaded.size());
  if (!report.skipped.empty())
    message += fmt::format(", {} kept their initialisation ({})", report.skipped.size(),
                           fmt::join(report.skipped, ", "));
  return message;
}

engine::Augmentation make_augment(const kernel::PluginCatalog& catalog, const spec::RunSpec& run) {
  std::vector<std::shared_ptr<Augmenter>> steps;
  std::vector<std::shared_ptr<BatchAugmenter>> batch_steps;
  for (const spec::PluginCall& call : run.augment) {
    auto step = catalog.create<Augmenter>(call.plugin, call.params);
    if (auto batch_step = std::dynamic_pointer_cast<BatchAugmenter>(step))
      batch_steps.push_back(batch_step);
    else
      steps.push_back(step);
  }
  engine::Augmentation augmentation;
  if (!steps.empty())
    augmentation.image = [steps](cv::Mat& image, Rng& rng) {
      for (const auto& step : steps) step->apply(image, rng);
    };
  if (!batch_steps.empty())
    augmentation.batch = [batch_steps](BatchTensor& batch, Rng& rng) {
      for (const auto& step : batch_steps) step->apply_batch(batch, rng);
    };
  return augmentation;
}

}  // namespace ferlab::assembly
