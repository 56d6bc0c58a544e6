#include "storage/sha256.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

#include "storage/sqlite.hpp"

namespace ferlab::storage {
namespace {

// OpenSSL's SHA-256 (libcrypto), fed in pieces.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1)
      throw StorageError("SHA-256: OpenSSL cannot start a digest");
  }
  void add(const char* data, size_t size) {
    if (EVP_DigestUpdate(context_.get(), data, size) != 1)
      throw StorageError("SHA-256: OpenSSL cannot update the digest");
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(context_.get(), digest, &size) != 1)
      throw StorageError("SHA-256: OpenSSL cannot finish the digest");
    std::string out;
    for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

}  // namespace

std::string sha256_hex(const std::string& bytes) {
  Sha256 digest;
  digest.add(bytes.data(), bytes.size());
  return digest.hex();
}

std::string sha256_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw StorageError(file.string() + ": cannot read the file to hash it");
  Sha256 digest;
  std::vector<char> chunk(1 << 20);  // a checkpoint is hashed without holding it whole
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
    digest.add(chunk.data(), static_cast<size_t>(in.gcount()));
  if (in.bad()) throw StorageError(file.string() + ": cannot read the file to hash it");
  return digest.hex();
}

}  // namespace ferlab::storage
