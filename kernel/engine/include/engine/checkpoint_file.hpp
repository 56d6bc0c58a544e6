// The checkpoint file format, apart from any network (so it can be read, tested and fuzzed
// alone): a network's weights (and running statistics) as named tensors, with metadata and,
// for resuming, the training state, in a versioned binary format with a checksum.
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

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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

enum class ElementType : std::uint8_t { f32 = 0, f16 = 1 };

// A tensor to write: its values are f32; `storage` decides how they are kept.
struct TensorToStore {
  std::string name;  // "<layer>/<parameter>"
  std::vector<std::int64_t> dims;
  const float* values;
  std::size_t count;
};

// A tensor as read: its data stays in the file's bytes (CheckpointContents::bytes).
struct StoredTensor {
  std::string name;
  ElementType type = ElementType::f32;
  std::vector<std::int64_t> dims;
  std::size_t count = 0;   // elements
  std::size_t offset = 0;  // of its data in the bytes
};

// A whole checkpoint, checked (header, size, checksum) and parsed.
struct CheckpointContents {
  std::string bytes;
  CheckpointInfo info;
  std::vector<StoredTensor> tensors;

  // The tensor's values as f32 into `out` (t.count floats), converting f16.
  void copy_values(const StoredTensor& t, float* out) const;
};

// The FNV-1a hash of a payload, as the header carries it.
std::uint64_t checkpoint_checksum(std::string_view payload);

// The file's bytes: header, then the payload.
std::string checkpoint_bytes(const CheckpointInfo& info, const std::vector<TensorToStore>& tensors,
                             TensorStorage storage);

// Parses a checkpoint's bytes; `where` names them in errors. Throws std::runtime_error for
// foreign, newer-format, truncated or corrupt bytes, never allocating more than they hold.
CheckpointContents parse_checkpoint(std::string bytes, const std::string& where);

// parse_checkpoint of a file's bytes, named by its path; throws also when it cannot be read.
CheckpointContents read_checkpoint_file(const std::filesystem::path& file);

}  // namespace ferlab::engine
