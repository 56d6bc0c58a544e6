// Class probabilities as stored in predictions.probabilities: float32, little-endian, one per
// class in class order — readable from any language without knowing the writer's CPU.
#pragma once

#include <string>
#include <vector>

namespace ferlab::storage {

std::string encode_probabilities(const std::vector<float>& probabilities);
// Throws StorageError when the size is not a multiple of 4 bytes.
std::vector<float> decode_probabilities(const std::string& bytes);

}  // namespace ferlab::storage
