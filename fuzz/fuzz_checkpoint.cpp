// The checkpoint reader on arbitrary bytes: the header, the checksum, every tensor entry and the
// training state, then every tensor's values converted to f32. Either it reads or it throws
// std::runtime_error naming the input; it never allocates more than the input holds.
//
// An input starting with 'F' is a whole file. Any other is a payload behind a header made
// valid here (version = first byte % 4, so 0 tests the version check): a mutated payload
// would otherwise almost never pass the checksum, and its parser would go unexplored.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/checkpoint_file.hpp"

namespace {

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

std::string with_valid_header(const std::uint8_t* data, size_t size) {
  const char* payload = reinterpret_cast<const char*>(data) + 1;
  const std::size_t payload_size = size - 1;
  std::string file = "FERLABCK";
  put<std::uint32_t>(file, data[0] % 4);
  put<std::uint64_t>(file, payload_size);
  put<std::uint64_t>(file, ferlab::engine::checkpoint_checksum({payload, payload_size}));
  return file.append(payload, payload_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes = data[0] == 'F' ? std::string(reinterpret_cast<const char*>(data), size)
                                     : with_valid_header(data, size);
  try {
    const ferlab::engine::CheckpointContents c =
        ferlab::engine::parse_checkpoint(std::move(bytes), "fuzz input");
    std::vector<float> values;
    for (const ferlab::engine::StoredTensor& t : c.tensors) {
      values.resize(t.count);
      c.copy_values(t, values.data());
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
