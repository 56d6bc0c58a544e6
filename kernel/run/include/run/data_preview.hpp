// What `ferlab preview` shows: a stratified pick of one split's images as the dataset loads
// them, after the run's preprocessing chain and after its per-image training augmentation.
#pragma once

#include <cstdint>
#include <ferlab/sample.hpp>
#include <string>
#include <vector>

#include "loader/plugin_catalog.hpp"
#include "run/event_log.hpp"
#include "run/preview_grid.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::run {

// Positions in `samples` of at most `count` of them: each class's samples shuffled with the
// seed, then taken one class at a time in class order (round robin), so every class shows once
// `count` reaches the number of classes. Same seed, same pick.
std::vector<std::size_t> stratified_pick(const std::vector<Sample>& samples, int classes,
                                         std::size_t count, std::uint64_t seed);

struct DataPreview {
  std::vector<GridSection> sections;  // as loaded; preprocessed; augmented (see make_preview)
  std::string split;
  std::size_t split_size = 0;  // images in the split after preprocessing
  int classes = 0;
  std::vector<std::string> left_out;  // why a section is missing, one line each
};

// The pick is made with the run's seed among the split's images that survive preprocessing.
// Sections: "as loaded", then "after preprocessing" when the run has preprocessors, then "after
// augmentation" when it has per-image augmenters (each image augmented as training draws it in
// its first epoch: its seed comes from the run's seed and its position in the split). Sections
// whose chain is empty are left out, as they would repeat the one above. Throws
// std::runtime_error when the dataset has no such split (listing those it has) or it is empty.
DataPreview make_preview(const kernel::PluginCatalog& catalog, const spec::RunSpec& run,
                         const std::string& split, std::size_t count, EventLog& events);

// How `ferlab preview` lays out a preview of `count` images: at most 8 per row, faces in 96x96
// cells with their class name in a 16-pixel band under them, titled sections.
GridStyle preview_style(std::size_t count);

}  // namespace ferlab::run
