// Hostile image files in a dataset: a JPEG cut in half (which OpenCV decodes into a partly grey
// face) and a picture larger than the pixel limit are named and skipped, each with a warning
// of its own kind, before decoding; the other images load as before.
#include <gmock/gmock.h>

#include <ferlab/image_header.hpp>
#include <opencv2/imgcodecs.hpp>

#include "../../plugins/datasets/common/image_files.hpp"
#include "file_fixtures.hpp"
#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

std::vector<unsigned char> encode(const std::string& extension, const cv::Mat& image) {
  std::vector<unsigned char> bytes;
  cv::imencode(extension, image, bytes);
  return bytes;
}

void write_bytes(const fs::path& file, const std::vector<unsigned char>& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// Two classes of 6 good images each, plus `extra` files under class a.
struct Loaded {
  size_t samples = 0;
  std::vector<std::string> warnings;
};

Loaded load_with(const std::map<std::string, std::vector<unsigned char>>& extra) {
  TempDir dir;
  for (int i = 0; i < 12; ++i)
    write_image(dir.path() / (i < 6 ? "a" : "b") / ("img" + std::to_string(i) + ".png"),
                random_image(i, 48));
  for (const auto& [name, bytes] : extra) write_bytes(dir.path() / "a" / name, bytes);
  RecordingEvents events;
  DatasetContents data =
      make<Dataset>("image-folder", {{"root", dir.path().string()}})->load(events);
  Loaded out;
  for (const auto& [split, samples] : data.splits) out.samples += samples.size();
  out.warnings = events.warnings;
  return out;
}

TEST(ImageDecoding, AJpegCutInHalfIsNamedAndSkippedNotDecodedInPart) {
  std::vector<unsigned char> jpeg = encode(".jpg", random_image(7, 96, CV_8UC3));
  std::vector<unsigned char> half(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  // The hazard: OpenCV (libjpeg) returns an image for the half, its lower part grey.
  ASSERT_FALSE(cv::imdecode(half, cv::IMREAD_UNCHANGED).empty());

  Loaded loaded = load_with({{"cut.jpg", half}, {"whole.jpg", jpeg}});
  EXPECT_EQ(loaded.samples, 13u);  // the whole one loads
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0],
            "truncated-image: a/cut.jpg: truncated JPEG (the file ends before the image does), "
            "skipped rather than decoded in part");
}

TEST(ImageDecoding, APngMissingItsEndIsSkippedToo) {
  std::vector<unsigned char> png = encode(".png", random_image(8, 48));
  png.resize(png.size() - 12);  // without IEND: every pixel is there, the file is not whole
  Loaded loaded = load_with({{"cut.png", png}});
  EXPECT_EQ(loaded.samples, 12u);
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_THAT(loaded.warnings[0], HasSubstr("truncated-image: a/cut.png: truncated PNG"));
}

TEST(ImageDecoding, AnImageOverThePixelLimitIsSkippedBeforeDecoding) {
  // 9000 x 9000 = 81 Mpx of zeros: 80 kB as PNG, 81 MB decoded (OpenCV's own limit is 1 Gpx).
  std::vector<unsigned char> big = encode(".png", cv::Mat::zeros(9000, 9000, CV_8UC1));
  ASSERT_LT(big.size(), 1u << 20);
  Loaded loaded = load_with({{"bomb.png", big}});
  EXPECT_EQ(loaded.samples, 12u);
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0],
            "too-large-image: a/bomb.png: 9000 x 9000 pixels, more than the limit of 67108864 "
            "(8192 x 8192), skipped");
  // 8192 x 8192 is within it (and decodes).
  static_assert(ferlab::ImageLimits::pixels == 8192u * 8192u);
}

TEST(ImageDecoding, EmptyAndForeignFilesAreCorruptImages) {
  Loaded loaded = load_with({{"empty.png", {}}, {"text.jpg", {'h', 'i'}}});
  EXPECT_EQ(loaded.samples, 12u);
  EXPECT_THAT(loaded.warnings,
              testing::UnorderedElementsAre(
                  "corrupt-image: a/empty.png: cannot be decoded as an image (not a PNG, JPEG, "
                  "BMP, PNM, TIFF or WebP image), skipped",
                  "corrupt-image: a/text.jpg: cannot be decoded as an image (not a PNG, JPEG, BMP, "
                  "PNM, TIFF or WebP image), skipped"));
}

}  // namespace
}  // namespace ferlab::test
