// The image cache on its own: a stored stage reads back pixel for pixel with its events and the
// fitted states of its preprocessing chain; the files hash follows the dataset's bytes; where
// the cache lives.
#include "run/data_cache.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "file_fixtures.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;

TEST(DataCache, StoredImagesEventsAndFittedStatesReadBackExactly) {
  TempDir dir;
  run::DataCache cache(dir.path() / "cache");
  DatasetContents contents;
  contents.classes = {"angry", "happy"};
  contents.splits["train"] = {{random_image(1, 5), 1, "a.png"},
                              {random_image(2, 7, CV_8UC3), 0, "b.png"}};
  contents.splits["test"] = {{random_image(3, 3), 0, "csv:9"}};
  run::EventLog events;
  events.warn("no-face", "no face in a.png");
  events.count("no-face", 4);
  events.count("aligned", 2);

  EXPECT_FALSE(cache.contains(42));
  const std::vector<std::string> fitted = {"", "101.5 19.25", "two\nlines"};
  cache.store(42, contents, events, fitted);
  ASSERT_TRUE(cache.contains(42));
  EXPECT_FALSE(cache.contains(43));
  run::EventLog replayed;
  std::vector<std::string> fitted_back = {"left over"};
  auto back = cache.load(42, replayed, fitted_back);
  ASSERT_TRUE(back);
  EXPECT_EQ(fitted_back, fitted);
  EXPECT_EQ(back->classes, contents.classes);
  ASSERT_EQ(back->splits.size(), 2u);
  for (const auto& [split, samples] : contents.splits) {
    const auto& read = back->splits.at(split);
    ASSERT_EQ(read.size(), samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(read[i].id, samples[i].id);
      EXPECT_EQ(read[i].label, samples[i].label);
      EXPECT_EQ(read[i].image.type(), samples[i].image.type());
      EXPECT_EQ(pixel_key(read[i].image), pixel_key(samples[i].image)) << samples[i].id;
    }
  }
  const auto entries = replayed.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries.at("no-face").count, 5);
  EXPECT_EQ(entries.at("no-face").first_message, "no face in a.png");
  EXPECT_EQ(entries.at("aligned").count, 2);
}

TEST(DataCache, ADamagedFileIsAMissWithAWarning) {
  TempDir dir;
  run::DataCache cache(dir.path());
  DatasetContents contents{{"a"}, {{"train", {{random_image(1, 4), 0, "x"}}}}};
  cache.store(7, contents, run::EventLog());
  const std::uintmax_t size = fs::file_size(cache.file(7));
  fs::resize_file(cache.file(7), size - 3);  // truncated, as by a full disk
  run::EventLog events;
  std::vector<std::string> fitted;
  EXPECT_EQ(cache.load(7, events, fitted), nullptr);
  EXPECT_EQ(events.entries().at("cache-unreadable").count, 1);
}

// After an upgrade the old files are not damaged: a quiet miss, rewritten by the next store.
TEST(DataCache, AFileOfAnotherFormatVersionIsAQuietMiss) {
  TempDir dir;
  run::DataCache cache(dir.path());
  DatasetContents contents{{"a"}, {{"train", {{random_image(1, 4), 0, "x"}}}}};
  cache.store(7, contents, run::EventLog());
  {
    std::fstream file(cache.file(7), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(7);
    file.put('1');  // "FERLCAC1": the format before fitted states
  }
  run::EventLog events;
  std::vector<std::string> fitted;
  EXPECT_EQ(cache.load(7, events, fitted), nullptr);
  EXPECT_TRUE(events.entries().empty());
  cache.store(7, contents, run::EventLog());
  EXPECT_NE(cache.load(7, events, fitted), nullptr);
}

TEST(DataCache, FilesHashFollowsTheBytesOfTheFilesTheParametersName) {
  TempDir dir;
  const fs::path root = dir.path() / "faces";
  write_image(root / "happy" / "1.png", random_image(1, 8));
  write_image(root / "sad" / "2.png", random_image(2, 8));
  spec::PluginCall call{
      "image-folder",
      "0.1.0",
      Params({{"root", Value(root.string())}, {"layout", Value(std::string("auto"))}}),
      {}};
  const std::uint64_t before = run::dataset_files_hash(call);
  EXPECT_NE(before, 0u);
  EXPECT_EQ(run::dataset_files_hash(call), before);
  cv::Mat changed = random_image(2, 8);
  changed.at<unsigned char>(3, 3) ^= 1;  // one bit of one pixel
  write_image(root / "sad" / "2.png", changed);
  EXPECT_NE(run::dataset_files_hash(call), before);
  write_image(root / "sad" / "2.png", random_image(2, 8));
  EXPECT_EQ(run::dataset_files_hash(call), before);
  fs::rename(root / "sad" / "2.png", root / "happy" / "2.png");  // same bytes, other class
  EXPECT_NE(run::dataset_files_hash(call), before);
  // Generated data names no file: its parameters alone are the key.
  EXPECT_EQ(run::dataset_files_hash(
                {"synthetic-faces", "0.1.0", Params({{"seed", Value(std::int64_t{3})}}), {}}),
            0u);
  EXPECT_NE(run::cache_key(1, before), run::cache_key(2, before));
  EXPECT_NE(run::cache_key(1, before), run::cache_key(1, before + 1));
}

TEST(DataCache, LivesBesideTheDatabaseUnlessToldOtherwise) {
  ::unsetenv("FERLAB_CACHE");
  EXPECT_EQ(run::cache_location("", "/data/runs/results.db"), fs::path("/data/runs/ferlab-cache"));
  EXPECT_EQ(run::cache_location("/tmp/c", "/data/results.db"), fs::path("/tmp/c"));
  EXPECT_TRUE(run::cache_location("off", "/data/results.db").empty());
  ::setenv("FERLAB_CACHE", "/scratch/ferlab", 1);
  EXPECT_EQ(run::cache_location("", "/data/results.db"), fs::path("/scratch/ferlab"));
  EXPECT_EQ(run::cache_location("/tmp/c", "/data/results.db"), fs::path("/tmp/c"));
  ::setenv("FERLAB_CACHE", "off", 1);
  EXPECT_TRUE(run::cache_location("", "/data/results.db").empty());
  ::unsetenv("FERLAB_CACHE");
}

}  // namespace
}  // namespace ferlab::test
