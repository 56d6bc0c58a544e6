// Checkpoint files: a network's weights (and running statistics) with metadata and, for
// resuming, the training state, in a versioned binary format with a checksum.
//
// Layout (little-endian): "FERLABCK", u32 format version, u64 payload bytes, u64 FNV-1a hash
// of the payload; payload = u32 epoch, u32 metadata count, (string key, string value)...,
// u32 tensor count, (string "<layer>/<parameter>", [version 3: u8 element type, 0 = f32,
// 1 = f16], u32 rank, i64 dims[rank], data)..., then (version 2+) u32 state count, (string
// name, u64 count, f32 data[count])...; a string is u32 length + bytes. Versions 1 (no state
// section, f32 tensors) and 2 (f32 tensors) still load.
//
// Reading is bounded by the file: every count and size is checked against the bytes left
// before anything is allocated, so a tampered file fails with a message naming it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/network.hpp"

namespace ferlab::engine {

inline constexpr std::uint32_t checkpoint_format_version = 3;
inline constexpr std::uint32_t max_tensor_rank = 8;

// How tensors are stored. `compact`: tensors of at least compact_min_elements values (the
// convolution and dense weights) as IEEE f16, the small ones (biases, batchnorm scales and
// running statistics, whose precision matters most per byte) as f32: about half the size of
// `full`, for shipped models. Resuming needs `full`.
enum class TensorStorage { full, compact };
inline constexpr std::size_t compact_min_elements = 1024;

struct CheckpointInfo {
  int epoch = 0;
  std::map<std::string, std::string> metadata;  // e.g. "spec": the resolved spec, "classes"
  // Float arrays beside the weights that only resuming needs (optimizer moments, the best
  // epoch's weights); empty in a weights-only checkpoint.
  std::map<std::string, std::vector<float>> state;
};

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

// Reads weights into `network`, matching tensors by name. Throws std::runtime_error naming
// the file for a missing, foreign, newer-format, truncated or corrupt file, and (unless
// allow_partial) for any tensor missing, extra or of another shape.
// The epoch, metadata and training state of a checkpoint, without loading its weights. Throws
// like load_checkpoint for a missing, foreign, newer-format, truncated or corrupt file.
CheckpointInfo read_checkpoint_info(const std::filesystem::path& file);

LoadReport load_checkpoint(const std::filesystem::path& file, Network& network,
                           bool allow_partial = false);

}  // namespace ferlab::engine
