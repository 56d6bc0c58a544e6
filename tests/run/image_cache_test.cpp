// `ferlab run` with the image cache: a second run reads the preprocessed images back instead
// of decoding and preprocessing again, and trains on exactly the same pixels; a changed
// parameter or image makes it compute again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::Not;

namespace {

class ImageCacheTest : public testing::Test {
 protected:
  void SetUp() override {
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 20; ++i) write_face(c, i, 0);
  }

  // Class 0 dark, class 1 bright, with noise; `variant` changes the pixels.
  void write_face(int c, int i, int variant) {
    cv::Mat image(16, 16, CV_8UC1);
    cv::RNG(1000 * c + i + 7 * variant).fill(image, cv::RNG::UNIFORM, c ? 120 : 0, c ? 256 : 136);
    fs::create_directories(dir_ / "faces" / std::to_string(c));
    cv::imwrite((dir_ / "faces" / std::to_string(c) / (std::to_string(i) + ".png")).string(),
                image);
  }

  // `more_steps`: preprocessing after CLAHE, as YAML flow items.
  ferlab::testing_support::CommandOutput run(double clip, const std::string& more_steps = "") {
    const fs::path spec = dir_ / "spec.yaml";
    std::ofstream(spec)
        << "name: cached\n"
        << "dataset: {plugin: image-folder, root: " << (dir_ / "faces").string() << "}\n"
        << "preprocess: [{plugin: clahe, clip: " << clip << "}" << more_steps << "]\n"
        << "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, units: 2}\n"
        << "train: {epochs: 1, batch: 8}\nevaluate: {splits: [test]}\n";
    return ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " run " + spec.string() +
                                                " --threads 1 --db " + (dir_ / "runs.db").string());
  }

  // The test metrics of one run, every checkpoint and test-time augmentation recorded.
  std::vector<double> test_metrics(int run) {
    ferlab::storage::Database db((dir_ / "runs.db").string(), false);
    ferlab::storage::Statement s(
        db, "SELECT value FROM metrics WHERE split = 'test' AND run_id = " + std::to_string(run) +
                " ORDER BY checkpoint, tta, name, class");
    std::vector<double> out;
    while (s.step()) out.push_back(s.real(0));
    return out;
  }

  ferlab::testing_support::TempDir temp_{"cache"};
  const fs::path dir_ = temp_.path();
};

TEST_F(ImageCacheTest, SecondRunReadsTheCacheAndChangesInvalidateIt) {
  auto first = run(2.0);
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_THAT(first.out, Not(HasSubstr("read from the cache")));
  // Beside the database: the decoded dataset and the CLAHE output.
  ASSERT_TRUE(fs::is_directory(dir_ / "ferlab-cache"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "ferlab-cache"), fs::directory_iterator()),
            2);

  auto second = run(2.0);
  ASSERT_EQ(second.status, 0) << second.out;
  // The dataset is not even decoded: the CLAHE stage after it is in the cache.
  EXPECT_THAT(second.out, HasSubstr("skipped: the next stages are in the cache"));
  EXPECT_THAT(second.out, HasSubstr("read from the cache"));
  ASSERT_FALSE(test_metrics(1).empty());
  EXPECT_EQ(test_metrics(1), test_metrics(2));  // trained and evaluated on the very same pixels

  // Files of an older format version (as after an upgrade) are misses: every stage runs again,
  // the dataset is not skipped on their account, and the files are rewritten.
  for (const auto& entry : fs::directory_iterator(dir_ / "ferlab-cache")) {
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(7);
    file.put('1');
  }
  auto upgraded = run(2.0);
  ASSERT_EQ(upgraded.status, 0) << upgraded.out;
  EXPECT_THAT(upgraded.out, Not(HasSubstr("skipped")));
  EXPECT_THAT(upgraded.out, Not(HasSubstr("read from the cache")));
  EXPECT_EQ(test_metrics(1), test_metrics(3));
  auto after_upgrade = run(2.0);
  EXPECT_THAT(after_upgrade.out, HasSubstr("skipped: the next stages are in the cache"));

  // Another clip limit: the decoded dataset comes from the cache, CLAHE runs again.
  auto other_clip = run(3.0);
  ASSERT_EQ(other_clip.status, 0) << other_clip.out;
  EXPECT_THAT(other_clip.out, Not(HasSubstr("skipped")));
  const auto clahe = other_clip.out.find("preprocessing: clahe");
  ASSERT_NE(clahe, std::string::npos);
  EXPECT_THAT(other_clip.out.substr(0, clahe), HasSubstr("read from the cache"));
  EXPECT_THAT(other_clip.out.substr(clahe), Not(HasSubstr("read from the cache")));

  // One changed image: nothing in the cache matches any more.
  write_face(1, 5, 1);
  auto changed = run(2.0);
  ASSERT_EQ(changed.status, 0) << changed.out;
  EXPECT_THAT(changed.out, Not(HasSubstr("read from the cache")));
  EXPECT_THAT(changed.out, Not(HasSubstr("skipped")));
}

// A cache file damaged from outside (its header intact) after the stages before it were
// skipped on its account: those stages are computed again, from the cache or from scratch,
// and the run ends as the first one did; the files are rewritten.
TEST_F(ImageCacheTest, ADamagedFileMakesTheSkippedStagesBeforeItRunAgain) {
  const std::string normalize = ", {plugin: normalize, mode: dataset}";
  auto first = run(2.0, normalize);
  ASSERT_EQ(first.status, 0) << first.out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_ / "ferlab-cache"))
    files.push_back(entry.path());
  ASSERT_EQ(files.size(), 3u);  // decoded, CLAHE, normalised
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return fs::last_write_time(a) < fs::last_write_time(b);
  });
  for (const fs::path& file : {files[1], files[2]})  // CLAHE's and normalize's output
    fs::resize_file(file, 64);

  auto damaged = run(2.0, normalize);
  ASSERT_EQ(damaged.status, 0) << damaged.out;
  EXPECT_THAT(damaged.out, HasSubstr("computing the stage before it again"));
  ASSERT_FALSE(test_metrics(1).empty());
  EXPECT_EQ(test_metrics(1), test_metrics(2));  // same pixels, same fitted mean and deviation
  auto repaired = run(2.0, normalize);
  ASSERT_EQ(repaired.status, 0) << repaired.out;
  EXPECT_THAT(repaired.out, Not(HasSubstr("computing the stage before it again")));
  EXPECT_EQ(test_metrics(1), test_metrics(3));
}

}  // namespace
