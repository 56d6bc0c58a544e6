// Checkpoints: weights round-trip exactly, damaged files fail clearly, partial loads for
// fine-tuning on another number of classes.
#include "engine/checkpoint.hpp"

#include <gmock/gmock.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "../support/temp_dir.hpp"
#include "engine/initialize.hpp"
#include "engine_fixture.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;
using engine::Network;

class CheckpointTest : public ::testing::Test {
 protected:
  std::unique_ptr<Network> network(int classes, std::uint64_t seed) {
    const InputShape shape{1, 16, 16};
    auto net = std::make_unique<Network>(backbone_def("vgg",
                                                      {{"widths", std::vector<std::int64_t>{4, 8}},
                                                       {"dense", std::vector<std::int64_t>{16}}},
                                                      shape, classes),
                                         assembly::catalog_layer_factory(catalog()), shape);
    engine::initialize_parameters(net->parameters(), options::Init::he, seed);
    return net;
  }

  static std::vector<float> weights(Network& net) {
    std::vector<float> all;
    for (Parameter* p : net.parameters()) {
      const float* w = static_cast<const float*>(p->value.get_data_handle());
      all.insert(all.end(), w, w + p->value.get_desc().get_size() / sizeof(float));
    }
    return all;
  }

  std::string load_error(const fs::path& file) {
    auto net = network(7, 1);
    try {
      engine::load_checkpoint(file, *net);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  template <class T>
  static void append(std::string& out, T value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  static void append_string(std::string& out, const std::string& text) {
    append<std::uint32_t>(out, static_cast<std::uint32_t>(text.size()));
    out += text;
  }
  // Magic, version, payload size and FNV-1a hash, as the format documents them.
  static std::string with_header(const std::string& payload, std::uint32_t version) {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (unsigned char c : payload) hash = (hash ^ c) * 0x100000001b3ull;
    std::string out = "FERLABCK";
    append(out, version);
    append<std::uint64_t>(out, payload.size());
    append(out, hash);
    return out + payload;
  }
  // A file as builds before format 3 wrote it, written here from the documented layout:
  // f32 tensors without an element type; version 2 adds an (empty) state section.
  static std::string legacy_checkpoint(Network& net, std::uint32_t version,
                                       const std::map<std::string, std::string>& metadata) {
    std::string payload;
    append<std::uint32_t>(payload, 3);
    append<std::uint32_t>(payload, static_cast<std::uint32_t>(metadata.size()));
    for (const auto& [k, v] : metadata) {
      append_string(payload, k);
      append_string(payload, v);
    }
    const auto tensors = net.named_parameters();
    append<std::uint32_t>(payload, static_cast<std::uint32_t>(tensors.size()));
    for (const auto& [name, p] : tensors) {
      append_string(payload, name);
      const auto dims = p->value.get_desc().dims();
      append<std::uint32_t>(payload, static_cast<std::uint32_t>(dims.size()));
      for (auto d : dims) append<std::int64_t>(payload, d);
      payload.append(static_cast<const char*>(p->value.get_data_handle()),
                     p->value.get_desc().get_size());
    }
    if (version >= 2) append<std::uint32_t>(payload, 0);
    return with_header(payload, version);
  }

  ferlab::testing_support::TempDir temp_{"checkpoint"};
  const fs::path dir_ = temp_.path();
};

TEST_F(CheckpointTest, RoundTripRestoresEveryWeightAndTheMetadata) {
  auto a = network(7, 1), b = network(7, 2);
  // Running statistics are saved too: give them values an initialisation would not.
  for (Parameter* p : a->parameters())
    if (!p->trainable()) static_cast<float*>(p->value.get_data_handle())[0] = 3.5f;
  ASSERT_NE(weights(*a), weights(*b));
  engine::save_checkpoint(dir_ / "a.ck", *a, {12, {{"spec", "model: {backbone: vgg}"}}});
  const auto report = engine::load_checkpoint(dir_ / "a.ck", *b);
  EXPECT_EQ(weights(*a), weights(*b));
  EXPECT_EQ(report.info.epoch, 12);
  EXPECT_EQ(report.info.metadata.at("spec"), "model: {backbone: vgg}");
  EXPECT_EQ(report.loaded.size(), a->parameters().size());
  EXPECT_TRUE(report.skipped.empty());
  EXPECT_FALSE(fs::exists(dir_ / "a.ck.tmp"));
}

TEST_F(CheckpointTest, DamagedFilesGiveClearErrors) {
  auto net = network(7, 1);
  engine::save_checkpoint(dir_ / "good.ck", *net, {});
  std::ifstream in(dir_ / "good.ck", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return dir_ / name;
  };
  EXPECT_THAT(load_error(dir_ / "missing.ck"), ::testing::HasSubstr("cannot open"));
  EXPECT_THAT(load_error(write("foreign.ck", "PK\x03\x04 not ours")),
              ::testing::HasSubstr("not a ferlab checkpoint"));
  EXPECT_THAT(load_error(write("short.ck", bytes.substr(0, bytes.size() - 100))),
              ::testing::HasSubstr("truncated"));
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  EXPECT_THAT(load_error(write("flipped.ck", flipped)), ::testing::HasSubstr("checksum"));
  std::string newer = bytes;
  newer[8] = 9;
  EXPECT_THAT(load_error(write("newer.ck", newer)), ::testing::HasSubstr("format version 9"));
}

TEST_F(CheckpointTest, TrainingStateRoundTrips) {
  auto a = network(7, 1);
  engine::CheckpointInfo info{3, {{"k", "v"}}, {{"optimizer/x/m", {1.5f, -2.f}}, {"empty", {}}}};
  engine::save_checkpoint(dir_ / "v3.ck", *a, info);
  EXPECT_EQ(engine::read_checkpoint_info(dir_ / "v3.ck").state, info.state);
}

TEST_F(CheckpointTest, VersionOneAndTwoFilesStillLoad) {
  auto a = network(7, 1);
  for (std::uint32_t version : {1u, 2u}) {
    auto b = network(7, 2);
    ASSERT_NE(weights(*a), weights(*b));
    const fs::path file = dir_ / ("v" + std::to_string(version) + ".ck");
    std::ofstream(file, std::ios::binary) << legacy_checkpoint(*a, version, {{"k", "v"}});
    const auto report = engine::load_checkpoint(file, *b);
    EXPECT_EQ(weights(*a), weights(*b)) << "version " << version;
    EXPECT_EQ(report.info.metadata.at("k"), "v");
    EXPECT_TRUE(report.info.state.empty());
  }
}

TEST_F(CheckpointTest, CompactStorageRoundsLargeTensorsToHalfPrecisionOnly) {
  auto a = network(7, 1), b = network(7, 2);
  engine::save_checkpoint(dir_ / "full.ck", *a, {});
  engine::save_checkpoint(dir_ / "compact.ck", *a, {}, engine::TensorStorage::compact);
  engine::load_checkpoint(dir_ / "compact.ck", *b);
  std::size_t large = 0;
  const auto original = a->named_parameters(), loaded = b->named_parameters();
  for (std::size_t i = 0; i < original.size(); ++i) {
    const auto* x = static_cast<const float*>(original[i].second->value.get_data_handle());
    const auto* y = static_cast<const float*>(loaded[i].second->value.get_data_handle());
    const std::size_t n = original[i].second->value.get_desc().get_size() / sizeof(float);
    const bool half = n >= engine::compact_min_elements;
    large += half ? n : 0;
    for (std::size_t k = 0; k < n; ++k) {
      // The compiler's own f16 conversion (round to nearest even) as the reference.
      const float expected = half ? static_cast<float>(static_cast<_Float16>(x[k])) : x[k];
      ASSERT_EQ(y[k], expected) << original[i].first << "[" << k << "]";
    }
  }
  ASSERT_GT(large, 0u);
  EXPECT_EQ(fs::file_size(dir_ / "full.ck") - fs::file_size(dir_ / "compact.ck"), large * 2);
}

TEST_F(CheckpointTest, TamperedSizesAreRefusedBeforeAnyAllocation) {
  auto net = network(7, 1);
  // One tensor entry, written by hand: name, element type, rank, dims, then the rest of the
  // payload (none). The checksum matches, so only the bounds checks stand in the way.
  auto tampered = [&](std::uint8_t type, std::vector<std::int64_t> dims, std::uint32_t rank) {
    std::string payload;
    append<std::uint32_t>(payload, 0);  // epoch
    append<std::uint32_t>(payload, 0);  // metadata
    append<std::uint32_t>(payload, 1);  // tensors
    append_string(payload, "conv/weights");
    append<std::uint8_t>(payload, type);
    append<std::uint32_t>(payload, rank);
    for (auto d : dims) append<std::int64_t>(payload, d);
    payload.append(64, '\0');
    const fs::path file = dir_ / "tampered.ck";
    std::ofstream(file, std::ios::binary) << with_header(payload, 3);
    return load_error(file);
  };
  using ::testing::HasSubstr;
  EXPECT_THAT(tampered(0, {}, 4000000000u), HasSubstr("rank 4000000000, at most 8"));
  EXPECT_THAT(tampered(0, {4, -2}, 2), HasSubstr("dimension 1 is -2"));
  EXPECT_THAT(tampered(0, {1ll << 40, 1ll << 40}, 2), HasSubstr("dimension 0 is 1099511627776"));
  EXPECT_THAT(tampered(0, {4, 1ll << 62}, 2), HasSubstr("dimension 1"));
  EXPECT_THAT(tampered(0, {17}, 1), HasSubstr("68 bytes expected"));
  EXPECT_THAT(tampered(7, {4}, 1), HasSubstr("element type 7"));
  EXPECT_THAT(tampered(0, {4}, 1), HasSubstr("tampered.ck"));  // fits, then fails on matching
}

TEST_F(CheckpointTest, OtherClassesLoadOnlyWithAllowPartial) {
  auto seven = network(7, 1), three = network(3, 2);
  engine::save_checkpoint(dir_ / "seven.ck", *seven, {});
  try {
    engine::load_checkpoint(dir_ / "seven.ck", *three);
    FAIL() << "expected a shape error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("logits/weights has another shape"));
  }
  const auto report = engine::load_checkpoint(dir_ / "seven.ck", *three, true);
  EXPECT_EQ(report.skipped, (std::vector<std::string>{"logits/weights", "logits/bias"}));
  // Everything before the head now matches the saved network.
  const auto a = seven->named_parameters(), b = three->named_parameters();
  for (std::size_t i = 0; i + 2 < a.size(); ++i) {
    const auto bytes = a[i].second->value.get_desc().get_size();
    EXPECT_EQ(std::memcmp(a[i].second->value.get_data_handle(),
                          b[i].second->value.get_data_handle(), bytes),
              0)
        << a[i].first;
  }
}

}  // namespace
}  // namespace ferlab::test
