// SHA-256 against the FIPS 180-4 example digests (NIST's "abc", the two-block message, a
// million 'a') and the coreutils sha256sum tool, on a file larger than the 1 MiB read chunk.
#include "storage/sha256.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "storage/sqlite.hpp"

using ferlab::storage::sha256_file;
using ferlab::storage::sha256_hex;

TEST(Sha256, MatchesThePublishedExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, OfAFileMatchesSha256sum) {
  const std::string file = "/tmp/ferlab-sha256-" + std::to_string(getpid());
  std::string bytes;
  for (int i = 0; i < 3'000'017; ++i) bytes += static_cast<char>(i * 7 % 256);  // 2.86 chunks
  std::ofstream(file, std::ios::binary) << bytes;
  FILE* pipe = popen(("sha256sum " + file).c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char digest[65] = {};
  ASSERT_EQ(fread(digest, 1, 64, pipe), 64u);
  pclose(pipe);
  EXPECT_EQ(sha256_file(file), digest);
  std::remove(file.c_str());
  EXPECT_THROW(sha256_file(file), ferlab::storage::StorageError);
}
