#include "run/data_preview.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <ferlab/batch_augmenter.hpp>
#include <map>
#include <stdexcept>

#include "assembly/data_stages.hpp"
#include "assembly/network_setup.hpp"
#include "engine/seeding.hpp"

namespace ferlab::run {
namespace {

// Keeps the pick's generator apart from the run's other uses of its seed ("prev").
constexpr std::uint64_t pick_stream = 0x70726576;

// The augmenters the preview applies: batch ones (mixup, cutmix) mix whole batches instead.
std::vector<std::string> per_image_augmenters(const kernel::PluginCatalog& catalog,
                                              const spec::RunSpec& run) {
  std::vector<std::string> names;
  for (const spec::PluginCall& call : run.augment)
    if (!std::dynamic_pointer_cast<BatchAugmenter>(
            catalog.create<Augmenter>(call.plugin, call.params)))
      names.push_back(call.plugin);
  return names;
}

const std::vector<Sample>& find_split(const DatasetContents& data, const std::string& split,
                                      const std::string& dataset) {
  auto found = data.splits.find(split);
  if (found == data.splits.end()) {
    std::vector<std::string> names;
    for (const auto& entry : data.splits) names.push_back(entry.first);
    throw std::runtime_error(fmt::format("dataset '{}' has no split '{}'; its splits: {}", dataset,
                                         split, fmt::join(names, ", ")));
  }
  if (found->second.empty())
    throw std::runtime_error(fmt::format("split '{}' of dataset '{}' is empty", split, dataset));
  return found->second;
}

}  // namespace

std::vector<std::size_t> stratified_pick(const std::vector<Sample>& samples, int classes,
                                         std::size_t count, std::uint64_t seed) {
  std::vector<std::vector<std::size_t>> by_class(static_cast<std::size_t>(std::max(classes, 0)));
  for (std::size_t i = 0; i < samples.size(); ++i)
    if (samples[i].label >= 0 && samples[i].label < classes)
      by_class[samples[i].label].push_back(i);
  Rng rng(seed);
  for (auto& members : by_class) std::shuffle(members.begin(), members.end(), rng);
  std::vector<std::size_t> picked;
  for (std::size_t round = 0; picked.size() < count; ++round) {
    const std::size_t before = picked.size();
    for (const auto& members : by_class)
      if (round < members.size() && picked.size() < count) picked.push_back(members[round]);
    if (picked.size() == before) break;  // every class exhausted
  }
  return picked;
}

DataPreview make_preview(const kernel::PluginCatalog& catalog, const spec::RunSpec& run,
                         const std::string& split, std::size_t count, EventLog& events) {
  const DatasetContents loaded = assembly::load_dataset(catalog, run.dataset, events);
  const std::vector<Sample>& raw = find_split(loaded, split, run.dataset.plugin);
  // Preprocessors fit on the train split, so it goes through the chain too; other splits
  // change nothing here and are left out.
  DatasetContents data{loaded.classes, {{"train", loaded.splits.at("train")}, {split, raw}}};
  for (const spec::PluginCall& call : run.preprocess)
    data = assembly::preprocess(catalog, call, data, events);
  const std::vector<Sample>& samples = find_split(data, split, run.dataset.plugin);

  std::map<std::string, const cv::Mat*> as_loaded;  // by sample id: preprocessing may skip some
  for (const Sample& s : raw) as_loaded[s.id] = &s.image;
  const auto seed = static_cast<std::uint64_t>(run.seed);
  const std::vector<std::size_t> picked = stratified_pick(
      samples, static_cast<int>(data.classes.size()), count, engine::mix(seed, pick_stream));
  const engine::Augmentation augmentation = assembly::make_augment(catalog, run);

  DataPreview out{{}, split, samples.size(), static_cast<int>(data.classes.size())};
  GridSection loaded_section{fmt::format("as loaded: {}, split {}", run.dataset.plugin, split), {}};
  GridSection preprocessed{
      fmt::format("after preprocessing: {}", spec::plugin_names(run.preprocess)), {}};
  GridSection augmented{fmt::format("after training augmentation (epoch 1 draws, seed {}): {}",
                                    run.seed, fmt::join(per_image_augmenters(catalog, run), ", ")),
                        {}};
  for (std::size_t i : picked) {
    const Sample& s = samples[i];
    const std::string& label = data.classes[static_cast<std::size_t>(s.label)];
    loaded_section.tiles.push_back({*as_loaded.at(s.id), label});
    preprocessed.tiles.push_back({s.image, label});
    if (augmentation.image) {
      // The draw the trainer makes for this image in its first epoch (engine/batch_loader.cpp).
      cv::Mat image = s.image.clone();
      Rng rng(engine::augment_seed(seed, 0, i));
      augmentation.image(image, rng);
      augmented.tiles.push_back({image, label});
    }
  }
  out.sections.push_back(std::move(loaded_section));
  if (!run.preprocess.empty())
    out.sections.push_back(std::move(preprocessed));
  else
    out.left_out.push_back("no preprocessing: the faces are used as loaded");
  if (augmentation.image)
    out.sections.push_back(std::move(augmented));
  else
    out.left_out.push_back("no per-image augmentation: training sees the faces above");
  return out;
}

GridStyle preview_style(std::size_t count) {
  GridStyle style;
  style.columns = static_cast<int>(std::clamp<std::size_t>(count, 1, 8));
  style.cell = {96, 96};
  style.gap = 4;
  style.label_height = 16;
  style.title_height = 22;
  return style;
}

}  // namespace ferlab::run
