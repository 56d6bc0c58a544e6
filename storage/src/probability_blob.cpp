#include "storage/probability_blob.hpp"

#include <cstdint>
#include <cstring>

#include "storage/sqlite.hpp"

namespace ferlab::storage {

std::string encode_probabilities(const std::vector<float>& probabilities) {
  std::string bytes;
  bytes.reserve(probabilities.size() * 4);
  for (float p : probabilities) {
    std::uint32_t bits;
    std::memcpy(&bits, &p, 4);
    for (int shift = 0; shift < 32; shift += 8) bytes += static_cast<char>((bits >> shift) & 0xff);
  }
  return bytes;
}

std::vector<float> decode_probabilities(const std::string& bytes) {
  if (bytes.size() % 4 != 0)
    throw StorageError("a probabilities blob of " + std::to_string(bytes.size()) +
                       " bytes: expected 4 per class (float32)");
  std::vector<float> out(bytes.size() / 4);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::uint32_t bits = 0;
    for (int b = 0; b < 4; ++b)
      bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i * 4 + b])) << (8 * b);
    std::memcpy(&out[i], &bits, 4);
  }
  return out;
}

}  // namespace ferlab::storage
