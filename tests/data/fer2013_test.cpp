// fer2013 on generated fixtures in both forms: Kaggle's CSV and the image-folder layout
// (separate or merged validation/test), including corrupt files and bad CSV rows.
#include <map>
#include <numeric>
#include <sstream>

#include "file_fixtures.hpp"
#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;

// Canonical label -> how the folder redistribution names the class folder.
const std::vector<std::string> kFolderNames = {"angry", "disgust",  "fear",   "happy",
                                               "sad",   "surprise", "neutral"};

struct Image {
  cv::Mat pixels;
  int label;
  std::string usage;  // Training, PublicTest, PrivateTest
};

// 7 classes x (3 train, 2 val, 2 test) distinct images.
std::vector<Image> make_images() {
  std::vector<Image> images;
  int seed = 0;
  for (const char* usage : {"Training", "PublicTest", "PrivateTest"})
    for (int label = 0; label < 7; ++label)
      for (int i = 0; i < (std::string(usage) == "Training" ? 3 : 2); ++i)
        images.push_back({random_image(seed++), label, usage});
  return images;
}

std::string csv_row(const Image& image) {
  std::ostringstream row;
  row << image.label << ",";
  for (size_t i = 0; i < image.pixels.total(); ++i)
    row << (i ? " " : "") << int(image.pixels.data[i]);
  row << "," << image.usage << "\n";
  return row.str();
}

// Rows interleaved across splits, as in the real file: a stride coprime with the count
// visits every image once.
void write_csv(const fs::path& file, const std::vector<Image>& images) {
  size_t stride = 5;
  while (std::gcd(stride, images.size()) != 1) ++stride;
  std::string text = "emotion,pixels,Usage\n";
  for (size_t i = 0; i < images.size(); ++i) text += csv_row(images[(i * stride) % images.size()]);
  write_text(file, text);
}

// merged = false: train/ validation/ test/; true: train/ and one test/ holding both.
void write_folder(const fs::path& root, const std::vector<Image>& images, bool merged) {
  int n = 0;
  for (const Image& image : images) {
    std::string split = image.usage == "Training"                ? "train"
                        : image.usage == "PublicTest" && !merged ? "validation"
                                                                 : "test";
    write_image(root / split / kFolderNames[image.label] /
                    (image.usage + "_" + std::to_string(n++) + ".png"),
                image.pixels);
  }
}

DatasetContents load(const fs::path& path, RecordingEvents& events) {
  return make<Dataset>("fer2013", {{"path", path.string()}})->load(events);
}

// split -> (pixels -> label)
std::map<std::string, std::map<std::string, int>> by_pixels(const DatasetContents& data) {
  std::map<std::string, std::map<std::string, int>> out;
  for (const auto& [split, samples] : data.splits)
    for (const Sample& s : samples) out[split][pixel_key(s.image)] = s.label;
  return out;
}

TEST(Fer2013, CsvAndFolderAgreeLabelForLabel) {
  TempDir dir;
  std::vector<Image> images = make_images();
  write_csv(dir.path() / "fer2013.csv", images);
  write_folder(dir.path() / "folder", images, false);
  RecordingEvents events;
  DatasetContents csv = load(dir.path() / "fer2013.csv", events);
  DatasetContents folder = load(dir.path() / "folder", events);
  EXPECT_TRUE(events.warnings.empty());
  for (const DatasetContents* data : {&csv, &folder}) {
    EXPECT_EQ(data->classes, kFolderNames);
    EXPECT_EQ(data->splits.at("train").size(), 21u);
    EXPECT_EQ(data->splits.at("val").size(), 14u);
    EXPECT_EQ(data->splits.at("test").size(), 14u);
  }
  EXPECT_EQ(by_pixels(csv), by_pixels(folder));
  // And both agree with what was written.
  std::map<std::string, std::string> split_of = {
      {"Training", "train"}, {"PublicTest", "val"}, {"PrivateTest", "test"}};
  auto expected = by_pixels(csv);
  for (const Image& image : images)
    EXPECT_EQ(expected[split_of[image.usage]].at(pixel_key(image.pixels)), image.label);
  EXPECT_EQ(csv.splits.at("train")[0].id.rfind("csv:", 0), 0u);
}

TEST(Fer2013, MergedTestFolderIsSplitByFilePrefix) {
  TempDir dir;
  std::vector<Image> images = make_images();
  write_folder(dir.path() / "separate", images, false);
  write_folder(dir.path() / "merged", images, true);
  RecordingEvents events;
  EXPECT_EQ(by_pixels(load(dir.path() / "merged", events)),
            by_pixels(load(dir.path() / "separate", events)));
}

TEST(Fer2013, MergedTestFolderWithoutPrefixesIsAnError) {
  TempDir dir;
  std::vector<Image> images = make_images();
  write_folder(dir.path(), images, true);
  write_image(dir.path() / "test" / "happy" / "unnamed.png", random_image(999));
  RecordingEvents events;
  try {
    load(dir.path(), events);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unnamed.png"), std::string::npos) << e.what();
  }
}

TEST(Fer2013, CorruptImageIsSkippedWithAWarningNamingIt) {
  TempDir dir;
  write_folder(dir.path(), make_images(), false);
  write_text(dir.path() / "train" / "happy" / "Training_broken.png", "not an image at all");
  RecordingEvents events;
  DatasetContents data = load(dir.path(), events);
  EXPECT_EQ(data.splits.at("train").size(), 21u);
  ASSERT_EQ(events.warnings.size(), 1u);
  EXPECT_NE(events.warnings[0].find("corrupt-image"), std::string::npos);
  EXPECT_NE(events.warnings[0].find("train/happy/Training_broken.png"), std::string::npos)
      << events.warnings[0];
}

std::string load_error(const fs::path& path) {
  RecordingEvents events;
  try {
    load(path, events);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Fer2013, BadCsvRowsAreErrorsNamingTheLine) {
  TempDir dir;
  std::vector<Image> images = make_images();
  std::string good = csv_row(images[0]);
  std::string short_row = csv_row(images[1]);
  short_row.erase(short_row.rfind(' '),
                  short_row.find(',', short_row.rfind(' ')) - short_row.rfind(' '));
  write_text(dir.path() / "short.csv", "emotion,pixels,Usage\n" + good + good + short_row);
  std::string error = load_error(dir.path() / "short.csv");
  EXPECT_NE(error.find("line 4"), std::string::npos) << error;
  EXPECT_NE(error.find("2303 pixel values"), std::string::npos) << error;

  std::string bad_label = "7" + good.substr(1);
  write_text(dir.path() / "label.csv", "emotion,pixels,Usage\n" + good + bad_label);
  error = load_error(dir.path() / "label.csv");
  EXPECT_NE(error.find("line 3"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown label '7'"), std::string::npos) << error;

  write_text(dir.path() / "nousage.csv", "emotion,pixels\n" + good);
  EXPECT_NE(load_error(dir.path() / "nousage.csv").find("Usage"), std::string::npos);
}

TEST(Fer2013, EmptySplitIsAnError) {
  TempDir dir;
  std::vector<Image> images = make_images();
  std::erase_if(images, [](const Image& i) { return i.usage == "PrivateTest"; });
  write_csv(dir.path() / "no-test.csv", images);
  std::string error = load_error(dir.path() / "no-test.csv");
  EXPECT_NE(error.find("split 'test' has no images"), std::string::npos) << error;
}

}  // namespace
}  // namespace ferlab::test
