// SHA-256 (FIPS 180-4, computed by OpenSSL's libcrypto) of a file, for the artifacts table:
// enough to tell whether a checkpoint on disk is the one the run recorded.
#pragma once

#include <filesystem>
#include <string>

namespace ferlab::storage {

// Lower-case hex digest of the bytes.
std::string sha256_hex(const std::string& bytes);
// Of a whole file; throws StorageError naming it when it cannot be read.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace ferlab::storage
