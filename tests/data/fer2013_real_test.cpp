// The real FER2013 copy (../shared/datasets/fer2013.tar.gz): exact split and class counts in
// the folder layout as shipped, in a merged val+test layout, and from a CSV generated from it,
// label for label. Runs whenever the copy is there (about 7 s on 2 cores, 300 MB of temporary
// files), in the Release suite: the sanitizer build skips it, as it would take minutes there.
#include <charconv>
#include <cstdlib>
#include <fstream>

#include "file_fixtures.hpp"
#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;

const fs::path kArchive = FERLAB_SOURCE_DIR "/../shared/datasets/fer2013.tar.gz";

// Published counts (canonical class order) per split.
const std::map<std::string, std::vector<size_t>> kCounts = {
    {"train", {3995, 436, 4097, 7215, 4830, 3171, 4965}},
    {"val", {467, 56, 496, 895, 653, 415, 607}},
    {"test", {491, 55, 528, 879, 594, 416, 626}},
};

std::map<std::string, std::vector<size_t>> class_counts(const DatasetContents& data) {
  std::map<std::string, std::vector<size_t>> out;
  for (const auto& [split, samples] : data.splits) {
    out[split].assign(7, 0);
    for (const Sample& s : samples) ++out[split][s.label];
  }
  return out;
}

void write_csv(const fs::path& file, const DatasetContents& data) {
  const std::map<std::string, std::string> usage = {
      {"train", "Training"}, {"val", "PublicTest"}, {"test", "PrivateTest"}};
  std::ofstream out(file, std::ios::binary);
  out << "emotion,pixels,Usage\n";
  std::string line;
  char number[4];
  for (const auto& [split, samples] : data.splits) {
    for (const Sample& s : samples) {
      line = std::to_string(s.label) + ",";
      for (size_t i = 0; i < s.image.total(); ++i) {
        if (i) line += ' ';
        line.append(number, std::to_chars(number, number + 4, int(s.image.data[i])).ptr);
      }
      out << line << "," << usage.at(split) << "\n";
    }
  }
}

TEST(Fer2013Real, ReadsTheSharedCopyInEveryForm) {
#ifdef FERLAB_SANITIZED_BUILD
  GTEST_SKIP() << "runs in the Release suite";
#endif
  if (!fs::exists(kArchive)) GTEST_SKIP() << kArchive << " not found";
  TempDir dir;
  std::string untar = "tar -xzf '" + kArchive.string() + "' -C '" + dir.path().string() + "'";
  ASSERT_EQ(std::system(untar.c_str()), 0);
  const fs::path root = dir.path() / "fer2013";

  RecordingEvents events;
  auto fer = [&](const fs::path& path) {
    return make<Dataset>("fer2013", {{"path", path.string()}})->load(events);
  };
  DatasetContents folder = fer(root);
  EXPECT_EQ(class_counts(folder), kCounts);

  // Mirrors that merge validation/ into test/ (file prefixes tell them apart).
  const fs::path merged = dir.path() / "merged";
  fs::create_directories(merged);
  fs::create_directory_symlink(root / "train", merged / "train");
  for (const char* split : {"validation", "test"})
    for (const auto& class_dir : fs::directory_iterator(root / split))
      for (const auto& file : fs::directory_iterator(class_dir)) {
        fs::create_directories(merged / "test" / class_dir.path().filename());
        fs::create_symlink(file.path(),
                           merged / "test" / class_dir.path().filename() / file.path().filename());
      }
  EXPECT_EQ(class_counts(fer(merged)), kCounts);

  // The CSV form, generated from the folder reading, agrees label for label.
  write_csv(dir.path() / "fer2013.csv", folder);
  DatasetContents csv = fer(dir.path() / "fer2013.csv");
  ASSERT_EQ(class_counts(csv), kCounts);
  for (const auto& [split, samples] : folder.splits) {
    const auto& other = csv.splits.at(split);
    for (size_t i = 0; i < samples.size(); ++i) {
      ASSERT_EQ(samples[i].label, other[i].label) << samples[i].id;
      ASSERT_TRUE(same_pixels(samples[i].image, other[i].image)) << samples[i].id;
    }
  }
  EXPECT_TRUE(events.warnings.empty());
}

}  // namespace
}  // namespace ferlab::test
