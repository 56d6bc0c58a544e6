// `ferlab preview`, run as a user runs it: the grid's geometry and contents read back from the
// PNG, determinism, and the errors for a bad split, folder or count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

namespace {

using Output = ferlab::testing_support::CommandOutput;

using ferlab::testing_support::run_ferlab;

// Seven balanced classes of two faces in train; hist-eq, then a flip that always happens.
const char* const spec_text = R"(name: preview
seeds: [3]
dataset: {plugin: synthetic-faces, train_count: 14, val_count: 7, test_count: 7}
preprocess:
  - {plugin: hist-eq}
augment:
  - {plugin: hflip, p: 1.0}
model: {backbone: {plugin: seed-cnn}}
)";

// The layout `ferlab preview` documents: at most 8 faces per row in 96x96 cells, a 16-pixel
// label band under each, 4-pixel gaps around everything, a 22-pixel title band per section.
constexpr int cell = 96, label = 16, gap = 4, title = 22, max_columns = 8;

struct Geometry {
  int columns, rows, sections;
  int width() const { return gap + columns * (cell + gap); }
  int section_height() const { return title + gap + rows * (cell + label + gap); }
  int height() const { return sections * section_height(); }
  cv::Rect face(int section, int k) const {
    return {gap + (k % columns) * (cell + gap),
            section * section_height() + title + gap + (k / columns) * (cell + label + gap), cell,
            cell};
  }
  cv::Rect label_band(int section, int k) const {
    cv::Rect f = face(section, k);
    return {f.x, f.y + cell, cell, label};
  }
};

Geometry geometry(int n, int sections) {
  int columns = std::min(n, max_columns);
  return {columns, (n + columns - 1) / columns, sections};
}

bool all_white(const cv::Mat& area) {
  cv::Mat grey;
  cv::cvtColor(area, grey, cv::COLOR_BGR2GRAY);
  return cv::countNonZero(grey != 255) == 0;
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class Preview : public testing::Test {
 protected:
  void SetUp() override {
    spec_ = dir_ / "spec.yaml";
    std::ofstream(spec_) << spec_text;
  }
  Output preview(const std::string& args) {
    return run_ferlab("preview " + spec_.string() + " " + args);
  }
  ferlab::testing_support::TempDir temp_{"preview"};
  const fs::path dir_ = temp_.path();
  fs::path spec_;
};

}  // namespace

TEST_F(Preview, WritesOneTilePerFaceInThreeSectionsThatShowEachStage) {
  const int n = 10;
  const fs::path out = dir_ / "grid.png";
  Output r = preview("--n 10 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("10 of the 14 train faces, 7 classes"));
  const cv::Mat grid = cv::imread(out.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(grid.empty());
  const Geometry g = geometry(n, 3);
  ASSERT_EQ(grid.cols, g.width());
  ASSERT_EQ(grid.rows, g.height());
  for (int s = 0; s < 3; ++s)
    for (int k = 0; k < g.rows * g.columns; ++k) {
      // The first n slots hold a face and its class name; the rest of the last row is empty.
      EXPECT_EQ(all_white(grid(g.face(s, k))), k >= n) << "section " << s << " slot " << k;
      EXPECT_EQ(all_white(grid(g.label_band(s, k))), k >= n) << "section " << s << " slot " << k;
    }
  for (int k = 0; k < n; ++k) {
    cv::Mat loaded, preprocessed, augmented;
    cv::cvtColor(grid(g.face(0, k)), loaded, cv::COLOR_BGR2GRAY);
    cv::cvtColor(grid(g.face(1, k)), preprocessed, cv::COLOR_BGR2GRAY);
    cv::cvtColor(grid(g.face(2, k)), augmented, cv::COLOR_BGR2GRAY);
    // Faces are enlarged 2x by nearest neighbour, which commutes with both steps: histogram
    // equalisation (every count times 4) and the mirror.
    cv::Mat equalized, mirrored;
    cv::equalizeHist(loaded, equalized);
    cv::flip(preprocessed, mirrored, 1);
    EXPECT_EQ(cv::countNonZero(preprocessed != equalized), 0) << "face " << k;
    EXPECT_EQ(cv::countNonZero(augmented != mirrored), 0) << "face " << k;
  }
}

TEST_F(Preview, TheSameCommandWritesTheSameBytes) {
  ASSERT_EQ(preview("--n 7 --set 'augment=[{plugin: rotate, degrees: 30}]' --out " +
                    (dir_ / "a.png").string())
                .status,
            0);
  ASSERT_EQ(preview("--n 7 --set 'augment=[{plugin: rotate, degrees: 30}]' --out " +
                    (dir_ / "b.png").string())
                .status,
            0);
  const std::string a = bytes_of(dir_ / "a.png");
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, bytes_of(dir_ / "b.png"));
}

TEST_F(Preview, WithoutAugmentersTheAugmentationSectionIsLeftOut) {
  const fs::path out = dir_ / "plain.png";
  Output r = preview("--n 3 --split test --set augment=[] --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("left out: no per-image augmentation"));
  const cv::Mat grid = cv::imread(out.string(), cv::IMREAD_COLOR);
  const Geometry g = geometry(3, 2);
  EXPECT_EQ(grid.cols, g.width());
  EXPECT_EQ(grid.rows, g.height());
}

TEST_F(Preview, ASweepPreviewsTheRunAskedForAndSaysWhichItIs) {
  const std::string sweep = "--set 'sweep={model.backbone: [{plugin: seed-cnn}, {plugin: vgg}]}' ";
  Output r = preview("--n 2 --run 2 " + sweep + "--out " + (dir_ / "run2.png").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("previewing run 2/2: backbone=vgg, seed 3"));
  Output beyond = preview("--run 3 " + sweep + "--out " + (dir_ / "run3.png").string());
  EXPECT_NE(beyond.status, 0);
  EXPECT_THAT(beyond.err, HasSubstr("the spec has 2 runs: expected 1 to 2, got 3"));
}

TEST_F(Preview, AnUnknownSplitIsAnErrorListingTheDatasetsSplits) {
  Output r = preview("--split validation --out " + (dir_ / "x.png").string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("dataset 'synthetic-faces' has no split 'validation'; its splits: "
                               "test, train, val"));
  EXPECT_FALSE(fs::exists(dir_ / "x.png"));
}

TEST_F(Preview, AMissingOutputFolderOrNoFacesIsRefusedBeforeLoading) {
  Output folder = preview("--out " + (dir_ / "missing" / "x.png").string());
  EXPECT_NE(folder.status, 0);
  EXPECT_THAT(folder.err,
              HasSubstr("the folder '" + (dir_ / "missing").string() + "' does not exist"));
  Output none = preview("--n 0 --out " + (dir_ / "x.png").string());
  EXPECT_NE(none.status, 0);
  EXPECT_THAT(none.err, HasSubstr("--n: expected at least 1 image, got 0"));
}
