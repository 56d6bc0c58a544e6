// ferlab/media.hpp: the SDK's image and video codecs, loaded on first use. What they return is
// compared with OpenCV's own calls made by the test; which libraries a `ferlab` process loads is
// read from the dynamic loader's trace (LD_DEBUG=files).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ferlab/media.hpp>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "plugin_fixture.hpp"

namespace fs = std::filesystem;
namespace media = ferlab::media;
using ferlab::test::same_pixels;
using testing::HasSubstr;
using testing::Not;

namespace {

cv::Mat noise(int rows, int cols, int type, int seed) {
  cv::Mat image(rows, cols, type);
  cv::RNG rng(seed);
  rng.fill(image, cv::RNG::UNIFORM, 0, 256);
  return image;
}

}  // namespace

TEST(Media, DecodesAsOpenCvDoes) {
  const cv::Mat image = noise(37, 53, CV_8UC3, 1);
  for (const std::string extension : {".png", ".jpg", ".bmp"}) {
    std::vector<unsigned char> bytes;
    ASSERT_TRUE(cv::imencode(extension, image, bytes));
    for (int flags : {cv::IMREAD_COLOR, cv::IMREAD_GRAYSCALE, cv::IMREAD_UNCHANGED}) {
      const cv::Mat expected = cv::imdecode(bytes, flags);
      ASSERT_FALSE(expected.empty());
      EXPECT_TRUE(same_pixels(media::decode_image(bytes, flags), expected))
          << extension << " flags " << flags;
    }
  }
  const std::vector<unsigned char> not_an_image = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i'};
  EXPECT_TRUE(media::decode_image(not_an_image, cv::IMREAD_COLOR).empty());
}

TEST(Media, EncodesWhatOpenCvDecodesBack) {
  const cv::Mat image = noise(20, 31, CV_8UC1, 2);
  const std::vector<unsigned char> png = media::encode_image(".png", image);
  EXPECT_TRUE(same_pixels(cv::imdecode(png, cv::IMREAD_UNCHANGED), image));
  EXPECT_THROW(media::encode_image(".not-a-format", image), std::exception);
}

TEST(Media, WritesImageFilesAndSaysWhenItCannot) {
  const ferlab::testing_support::TempDir dir("media");
  const cv::Mat image = noise(16, 24, CV_8UC3, 3);
  ASSERT_TRUE(media::write_image(dir.path() / "a.png", image));
  EXPECT_TRUE(
      same_pixels(cv::imread((dir.path() / "a.png").string(), cv::IMREAD_UNCHANGED), image));
  EXPECT_FALSE(media::write_image(dir.path() / "no-such-folder" / "a.png", image));
}

TEST(Media, VideosWrittenReadBackFrameByFrame) {
  const ferlab::testing_support::TempDir dir("media");
  const fs::path file = dir.path() / "clip.avi";
  std::vector<cv::Mat> frames;
  for (int i = 0; i < 5; ++i) frames.push_back(cv::Mat(48, 64, CV_8UC3, cv::Scalar::all(40 * i)));
  {
    auto writer = media::create_mjpeg_video(file, 15, frames[0].size());
    ASSERT_TRUE(writer);
    for (const cv::Mat& frame : frames) writer->write(frame);
  }
  auto reader = media::open_video(file);
  ASSERT_TRUE(reader);
  EXPECT_DOUBLE_EQ(reader->fps(), 15);
  cv::Mat frame;
  for (const cv::Mat& expected : frames) {
    ASSERT_TRUE(reader->read(frame));
    ASSERT_EQ(frame.size(), expected.size());
    ASSERT_EQ(frame.type(), expected.type());
    EXPECT_LE(cv::norm(frame, expected, cv::NORM_INF), 4) << "Motion-JPEG of a flat frame";
  }
  EXPECT_FALSE(reader->read(frame));
  EXPECT_FALSE(media::open_video(dir.path() / "missing.avi"));
  EXPECT_FALSE(media::create_mjpeg_video(dir.path() / "no-such-folder" / "a.avi", 25, {8, 8}));
}

TEST(Media, FerlabLoadsTheCodecsOnlyWhenAFileIsEncoded) {
  const ferlab::testing_support::TempDir dir("media");
  const fs::path spec = dir.path() / "spec.yaml";
  std::ofstream(spec) << "name: codecs\ndataset: {plugin: synthetic-faces, train_count: 14}\n"
                         "model: {backbone: {plugin: seed-cnn}}\n";
  const auto traced = [](const std::string& args) {
    return ferlab::testing_support::run_command("LD_DEBUG=files " FERLAB_CLI " " + args);
  };
  // Checking a spec loads every plugin, the dataset's included.
  auto r = traced("check " + spec.string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("libferlab_sdk"));  // the trace is there
  EXPECT_THAT(r.out, Not(HasSubstr("libopencv_imgcodecs")));
  EXPECT_THAT(r.out, Not(HasSubstr("libopencv_videoio")));
  EXPECT_THAT(r.out, Not(HasSubstr("libferlab_media")));
  // A preview grid is a PNG: the codecs come in, and it is written.
  const fs::path grid = dir.path() / "grid.png";
  r = traced("preview " + spec.string() + " --n 2 --out " + grid.string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("libferlab_media"));
  EXPECT_THAT(r.out, HasSubstr("libopencv_imgcodecs"));
  EXPECT_FALSE(cv::imread(grid.string()).empty());
}
