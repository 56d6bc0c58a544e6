// Checkpoint files of a network: its weights (and running statistics) with metadata and, for
// resuming, the training state. The format itself: engine/checkpoint_file.hpp.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/checkpoint_file.hpp"
#include "engine/network.hpp"

namespace ferlab::engine {

struct LoadReport {
  CheckpointInfo info;
  std::vector<std::string> loaded;
  // With allow_partial: tensors left as they were (absent from the file or another shape,
  // e.g. a new classifier head when fine-tuning on other classes).
  std::vector<std::string> skipped;
};

// Writes atomically (a temporary file renamed into place). Throws std::runtime_error.
void save_checkpoint(const std::filesystem::path& file, Network& network,
                     const CheckpointInfo& info, TensorStorage storage = TensorStorage::full);

// The epoch, metadata and training state of a checkpoint, without loading its weights. Throws
// like load_checkpoint for a missing, foreign, newer-format, truncated or corrupt file.
CheckpointInfo read_checkpoint_info(const std::filesystem::path& file);

// Reads weights into `network`, matching tensors by name. Throws std::runtime_error naming
// the file for a missing, foreign, newer-format, truncated or corrupt file, and (unless
// allow_partial) for any tensor missing, extra or of another shape.
LoadReport load_checkpoint(const std::filesystem::path& file, Network& network,
                           bool allow_partial = false);

}  // namespace ferlab::engine
