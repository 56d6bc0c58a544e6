// Checkpoints: weights round-trip exactly, damaged files fail clearly, partial loads for
// fine-tuning on another number of classes.
#include "engine/checkpoint.hpp"

#include <gmock/gmock.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/initialize.hpp"
#include "engine_fixture.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;
using engine::Network;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ferlab-checkpoint-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Network> network(int classes, std::uint64_t seed) {
    const InputShape shape{1, 16, 16};
    auto net = std::make_unique<Network>(backbone_def("vgg",
                                                      {{"widths", std::vector<std::int64_t>{4, 8}},
                                                       {"dense", std::vector<std::int64_t>{16}}},
                                                      shape, classes),
                                         engine::catalog_layer_factory(catalog()), shape);
    engine::initialize_parameters(net->parameters(), "he", seed);
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

  fs::path dir_;
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

TEST_F(CheckpointTest, TrainingStateRoundTripsAndVersionOneFilesStillLoad) {
  auto a = network(7, 1), b = network(7, 2);
  engine::CheckpointInfo info{3, {{"k", "v"}}, {{"optimizer/x/m", {1.5f, -2.f}}, {"empty", {}}}};
  engine::save_checkpoint(dir_ / "v2.ck", *a, info);
  EXPECT_EQ(engine::read_checkpoint_info(dir_ / "v2.ck").state, info.state);

  // A version 1 file, as earlier builds wrote it: the same layout without the state section
  // (so without its trailing count), version 1 in the header, size and FNV-1a hash to match.
  engine::save_checkpoint(dir_ / "plain.ck", *a, {3, {{"k", "v"}}});
  std::ifstream in(dir_ / "plain.ck", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t header = 8 + 4 + 8 + 8;
  std::string payload = bytes.substr(header, bytes.size() - header - 4);  // drop the count 0
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : payload) hash = (hash ^ c) * 0x100000001b3ull;
  const std::uint32_t version = 1;
  const std::uint64_t size = payload.size();
  std::string v1 = bytes.substr(0, 8);
  v1.append(reinterpret_cast<const char*>(&version), 4);
  v1.append(reinterpret_cast<const char*>(&size), 8);
  v1.append(reinterpret_cast<const char*>(&hash), 8);
  std::ofstream(dir_ / "v1.ck", std::ios::binary) << v1 + payload;
  const auto report = engine::load_checkpoint(dir_ / "v1.ck", *b);
  EXPECT_EQ(weights(*a), weights(*b));
  EXPECT_EQ(report.info.metadata.at("k"), "v");
  EXPECT_TRUE(report.info.state.empty());
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
