// read_image_header against OpenCV: the size it reads from each format's header is the size
// OpenCV decodes, and a file cut anywhere before its end is found incomplete.
#include <gmock/gmock.h>

#include <ferlab/image_header.hpp>
#include <opencv2/imgcodecs.hpp>

#include "file_fixtures.hpp"

namespace ferlab::test {
namespace {

using ferlab::read_image_header;

std::vector<unsigned char> encode(const std::string& extension, const cv::Mat& image) {
  std::vector<unsigned char> bytes;
  if (!cv::imencode(extension, image, bytes))
    throw std::runtime_error("cannot encode " + extension);
  return bytes;
}

struct Format {
  const char* extension;
  const char* name;
  int type;
  bool checks_truncation;
};

const Format kFormats[] = {{".png", "PNG", CV_8UC1, true},   {".png", "PNG", CV_16UC3, true},
                           {".jpg", "JPEG", CV_8UC3, true},  {".jpg", "JPEG", CV_8UC1, true},
                           {".bmp", "BMP", CV_8UC3, true},   {".bmp", "BMP", CV_8UC1, true},
                           {".pgm", "PNM", CV_8UC1, true},   {".ppm", "PNM", CV_8UC3, true},
                           {".tif", "TIFF", CV_8UC1, false}, {".tiff", "TIFF", CV_8UC3, false},
                           {".webp", "WebP", CV_8UC3, true}};

TEST(ImageHeader, SizesAreTheSizesOpenCvDecodes) {
  for (const Format& f : kFormats)
    for (auto [width, height] : {std::pair{48, 48}, {37, 121}, {640, 3}}) {
      cv::Mat image =
          random_image(width, std::max(width, height), f.type)(cv::Rect(0, 0, width, height))
              .clone();
      std::vector<unsigned char> bytes = encode(f.extension, image);
      cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
      ferlab::ImageHeader header = read_image_header(bytes);
      SCOPED_TRACE(std::string(f.extension) + " " + std::to_string(width) + "x" +
                   std::to_string(height));
      EXPECT_EQ(header.format, f.name);
      EXPECT_EQ(header.problem, "");
      EXPECT_EQ(header.width, static_cast<std::uint64_t>(decoded.cols));
      EXPECT_EQ(header.height, static_cast<std::uint64_t>(decoded.rows));
      EXPECT_TRUE(header.complete);
    }
}

TEST(ImageHeader, AFileCutAnywhereIsIncompleteOrUnreadable) {
  for (const Format& f : kFormats) {
    if (!f.checks_truncation) continue;
    std::vector<unsigned char> bytes = encode(f.extension, random_image(3, 64, f.type));
    for (size_t cut = 1; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 97)) {
      std::vector<unsigned char> part(bytes.begin(), bytes.begin() + cut);
      ferlab::ImageHeader header = read_image_header(part);
      EXPECT_TRUE(!header.complete || !header.problem.empty())
          << f.extension << " cut at " << cut << " of " << bytes.size();
    }
  }
}

TEST(ImageHeader, BytesAfterTheEndOfAJpegOrPngDoNotMakeItIncomplete) {
  for (const char* extension : {".jpg", ".png"}) {
    std::vector<unsigned char> bytes = encode(extension, random_image(4, 48, CV_8UC3));
    bytes.insert(bytes.end(), {0xFF, 0xDA, 0x00, 0x00, 'x', 'y'});  // e.g. a phone's trailer
    ferlab::ImageHeader header = read_image_header(bytes);
    EXPECT_TRUE(header.complete) << extension;
    EXPECT_EQ(header.problem, "") << extension;
  }
}

TEST(ImageHeader, AnythingElseIsNamedAsNotAnImage) {
  std::vector<unsigned char> text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(read_image_header(text).problem, "not a PNG, JPEG, BMP, PNM, TIFF or WebP image");
  EXPECT_NE(read_image_header({}).problem, "");
}

}  // namespace
}  // namespace ferlab::test
