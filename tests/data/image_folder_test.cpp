// image-folder on generated trees: class names, stratified ratio splits, k-fold with groups
// (no subject on both sides), split folders, and bad data.
#include <map>
#include <set>

#include "file_fixtures.hpp"
#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;
using Overrides = std::map<std::string, Value>;

DatasetContents load(const fs::path& root, Overrides overrides = {}) {
  RecordingEvents events;
  overrides["root"] = root.string();
  return make<Dataset>("image-folder", overrides)->load(events);
}

// root/<class>/<prefix><i>.png for each (class, count).
void write_classes(const fs::path& root, const std::map<std::string, int>& counts,
                   const std::string& prefix = "img", int side = 8) {
  int seed = 0;
  for (const auto& [name, count] : counts)
    for (int i = 0; i < count; ++i)
      write_image(root / name / (prefix + std::to_string(i) + ".png"), random_image(seed++, side));
}

std::map<std::string, std::vector<int>> class_counts(const DatasetContents& data) {
  std::map<std::string, std::vector<int>> out;
  for (const auto& [split, samples] : data.splits) {
    out[split].assign(data.classes.size(), 0);
    for (const Sample& s : samples) ++out[split][s.label];
  }
  return out;
}

std::map<std::string, std::string> split_of_ids(const DatasetContents& data) {
  std::map<std::string, std::string> out;
  for (const auto& [split, samples] : data.splits)
    for (const Sample& s : samples) EXPECT_TRUE(out.emplace(s.id, split).second) << s.id;
  return out;
}

TEST(ImageFolder, RatioSplitIsStratifiedAndFixedBySeed) {
  TempDir dir;
  write_classes(dir.path(), {{"a", 50}, {"b", 30}, {"c", 20}});
  DatasetContents data = load(dir.path());
  EXPECT_EQ(data.classes, (std::vector<std::string>{"a", "b", "c"}));
  auto counts = class_counts(data);
  const std::vector<int> per_class = {50, 30, 20};
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(counts["train"][c], 0.8 * per_class[c], 1) << c;
    EXPECT_NEAR(counts["val"][c], 0.1 * per_class[c], 1) << c;
    EXPECT_NEAR(counts["test"][c], 0.1 * per_class[c], 1) << c;
  }
  auto first = split_of_ids(data);
  EXPECT_EQ(first.size(), 100u);
  EXPECT_EQ(first.count("a/img0.png"), 1u);  // ids are paths relative to the root
  EXPECT_EQ(split_of_ids(load(dir.path())), first);
  EXPECT_NE(split_of_ids(load(dir.path(), {{"seed", std::int64_t{2}}})), first);
}

TEST(ImageFolder, KFoldWithGroupsNeverSplitsASubject) {
  TempDir dir;
  // 10 subjects, each with 3 images of each of two expressions: S003_happy_1.png, ...
  for (int subject = 0; subject < 10; ++subject)
    for (const char* expression : {"happy", "sad"})
      for (int i = 0; i < 3; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "S%03d_%s_%d.png", subject, expression, i);
        write_image(dir.path() / expression / name, random_image(subject * 100 + i));
      }
  std::map<std::string, int> times_in_test;
  for (int k = 1; k <= 5; ++k) {
    DatasetContents data =
        load(dir.path(),
             {{"split", "kfold"}, {"fold", std::to_string(k) + "/5"}, {"group", "^(S[0-9]+)_"}});
    std::map<std::string, std::set<std::string>> splits_of_subject;
    for (const auto& [split, samples] : data.splits)
      for (const Sample& s : samples)
        splits_of_subject[s.id.substr(s.id.find('/') + 1, 4)].insert(split);
    ASSERT_EQ(splits_of_subject.size(), 10u);
    for (const auto& [subject, splits] : splits_of_subject) {
      EXPECT_EQ(splits.size(), 1u) << subject << " is in several splits of fold " << k;
      times_in_test[subject] += splits.count("test");
    }
    EXPECT_EQ(data.splits.at("test").size(), 12u) << "two subjects per fold";
  }
  for (const auto& [subject, times] : times_in_test) EXPECT_EQ(times, 1) << subject;
}

TEST(ImageFolder, SplitFoldersWithoutValCarveValOutOfTrain) {
  TempDir dir;
  write_classes(dir.path() / "train", {{"x", 20}, {"y", 20}});
  write_classes(dir.path() / "test", {{"x", 5}, {"y", 5}}, "t");
  DatasetContents data = load(dir.path(), {{"val_fraction", 0.25}});
  auto counts = class_counts(data);
  EXPECT_EQ(counts["val"], (std::vector<int>{5, 5}));
  EXPECT_EQ(counts["train"], (std::vector<int>{15, 15}));
  EXPECT_EQ(counts["test"], (std::vector<int>{5, 5}));
  for (const Sample& s : data.splits.at("val")) EXPECT_EQ(s.id.rfind("train/", 0), 0u) << s.id;
}

TEST(ImageFolder, EmotionFoldersGetFer2013NamesAndOrder) {
  TempDir dir;
  write_classes(dir.path(), {{"Happy", 10}, {"anger", 10}, {"SAD", 10}});
  EXPECT_EQ(load(dir.path()).classes, (std::vector<std::string>{"angry", "happy", "sad"}));
  EXPECT_EQ(load(dir.path(), {{"fer_order", false}}).classes,
            (std::vector<std::string>{"Happy", "SAD", "anger"}));
}

TEST(ImageFolder, ExplicitClassesAndAliases) {
  TempDir dir;
  write_classes(dir.path(), {{"pos", 10}, {"neg", 10}, {"junk", 10}});
  RecordingEvents events;
  DatasetContents data =
      make<Dataset>("image-folder",
                    {{"root", dir.path().string()},
                     {"classes", std::vector<std::string>{"negative", "positive"}},
                     {"aliases", StringMap{{"pos", "positive"}, {"neg", "negative"}}}})
          ->load(events);
  EXPECT_EQ(data.classes, (std::vector<std::string>{"negative", "positive"}));
  size_t total = 0;
  for (const auto& [split, samples] : data.splits) {
    total += samples.size();
    for (const Sample& s : samples) EXPECT_EQ(s.label, s.id.rfind("pos/", 0) == 0 ? 1 : 0) << s.id;
  }
  EXPECT_EQ(total, 20u);
  ASSERT_EQ(events.warnings.size(), 1u);
  EXPECT_NE(events.warnings[0].find("junk"), std::string::npos);
}

TEST(ImageFolder, AnyImageFormatDecodesToTheRequestedChannels) {
  TempDir dir;
  for (int i = 0; i < 10; ++i) {
    write_image(dir.path() / "a" / ("c" + std::to_string(i) + ".jpg"),
                random_image(i, 20, CV_8UC3));
    write_image(dir.path() / "b" / ("g" + std::to_string(i) + ".bmp"), random_image(i, 30));
  }
  for (const auto& [channels, type] : {std::pair{"gray", CV_8UC1}, {"color", CV_8UC3}})
    for (const auto& [split, samples] : load(dir.path(), {{"channels", channels}}).splits)
      for (const Sample& s : samples) EXPECT_EQ(s.image.type(), type) << s.id;
}

TEST(ImageFolder, CorruptImageWarnsAndEmptyClassFails) {
  TempDir dir;
  write_classes(dir.path(), {{"a", 10}, {"b", 10}});
  write_text(dir.path() / "a" / "broken.jpg", "garbage");
  RecordingEvents events;
  DatasetContents data =
      make<Dataset>("image-folder", {{"root", dir.path().string()}})->load(events);
  size_t total = 0;
  for (const auto& [split, samples] : data.splits) total += samples.size();
  EXPECT_EQ(total, 20u);
  ASSERT_EQ(events.warnings.size(), 1u);
  EXPECT_NE(events.warnings[0].find("a/broken.jpg"), std::string::npos) << events.warnings[0];

  fs::create_directories(dir.path() / "c");  // a class without images
  try {
    load(dir.path());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("class 'c'"), std::string::npos) << e.what();
  }
}

TEST(ImageFolder, BadSettingsAreRefused) {
  EXPECT_THROW(make<Dataset>("image-folder", {{"root", "/x"}, {"split", "kfold"}, {"fold", "6/5"}}),
               std::invalid_argument);
  EXPECT_THROW(make<Dataset>("image-folder", {{"root", "/x"}, {"group", "(unclosed"}}),
               std::invalid_argument);
  EXPECT_THROW(load("/nonexistent/ferlab/folder"), std::runtime_error);
}

}  // namespace
}  // namespace ferlab::test
