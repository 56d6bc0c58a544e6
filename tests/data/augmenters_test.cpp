// Each augmenter plugin, loaded from the build tree: its effect on known images, its
// probability, and that a seed fixes the result.
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <set>

#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

using Overrides = std::map<std::string, Value>;

cv::Mat noise_image(int rows, int cols, int type, int seed = 1) {
  cv::Mat image(rows, cols, type);
  cv::RNG(seed).fill(image, cv::RNG::UNIFORM, 0, 256);
  return image;
}

cv::Mat augment(const Augmenter& a, const cv::Mat& image, std::uint64_t seed) {
  cv::Mat out = image;  // shares pixels: augmenters must not write into them
  Rng rng(seed);
  a.apply(out, rng);
  return out;
}

// Same seed, same result; the input pixels are never modified; seeds change the result.
void check_seeded(const std::string& name, const Overrides& overrides, const cv::Mat& image) {
  auto a = make<Augmenter>(name, overrides);
  cv::Mat original = image.clone();
  cv::Mat seed_zero = augment(*a, image, 0);
  bool seed_matters = false;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    cv::Mat first = augment(*a, image, seed), second = augment(*a, image, seed);
    ASSERT_TRUE(same_pixels(first, second)) << name << " seed " << seed;
    seed_matters |= !same_pixels(first, seed_zero);
  }
  EXPECT_TRUE(same_pixels(image, original)) << name << " wrote into its input";
  EXPECT_TRUE(seed_matters) << name << " ignores the seed";
}

TEST(Augmenters, DeterministicPerSeedAndNeverWriteIntoTheirInput) {
  cv::Mat image = noise_image(48, 48, CV_8UC1);
  check_seeded("hflip", {}, image);
  check_seeded("rotate", {}, image);
  check_seeded("random-crop", {}, image);
  check_seeded("photometric", {}, image);
  check_seeded("gaussian-noise", {}, image);
  check_seeded("random-erasing", {}, image);
  check_seeded("affine", {}, image);
  check_seeded("blur", {{"p", 1.0}}, image);
  check_seeded("photometric", {}, noise_image(32, 32, CV_8UC3));
  check_seeded("random-erasing", {{"p", 1.0}}, noise_image(32, 32, CV_8UC3));
}

TEST(HFlip, MirrorsPixelsExactlyWithTheGivenProbability) {
  cv::Mat image = noise_image(48, 40, CV_8UC3);
  cv::Mat out = augment(*make<Augmenter>("hflip", {{"p", 1.0}}), image, 3);
  for (int y = 0; y < image.rows; ++y)
    for (int x = 0; x < image.cols; ++x)
      ASSERT_EQ(out.at<cv::Vec3b>(y, x), image.at<cv::Vec3b>(y, image.cols - 1 - x));
  EXPECT_TRUE(same_pixels(augment(*make<Augmenter>("hflip", {{"p", 0.0}}), image, 3), image));

  auto half = make<Augmenter>("hflip");  // default p = 0.5
  int flipped = 0;
  for (std::uint64_t seed = 0; seed < 400; ++seed)
    flipped += !same_pixels(augment(*half, image, seed), image);
  EXPECT_NEAR(flipped / 400.0, 0.5, 0.08);
}

TEST(Rotate, QuarterTurnEqualsTransposeAndFlip) {
  cv::Mat image = noise_image(48, 48, CV_8UC1);
  cv::Mat transposed, ccw, cw;
  cv::transpose(image, transposed);
  cv::flip(transposed, ccw, 0);  // counter-clockwise quarter turn
  cv::flip(transposed, cw, 1);   // clockwise quarter turn
  auto a = make<Augmenter>("rotate", {{"degrees", 90.0}, {"exact", true}});
  int seen_ccw = 0, seen_cw = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    cv::Mat out = augment(*a, image, seed);
    bool is_ccw = same_pixels(out, ccw), is_cw = same_pixels(out, cw);
    ASSERT_TRUE(is_ccw || is_cw) << "seed " << seed;
    seen_ccw += is_ccw, seen_cw += is_cw;
  }
  EXPECT_GT(seen_ccw, 0);
  EXPECT_GT(seen_cw, 0);
}

TEST(Rotate, AnglesStayWithinTheLimitAndGoBothWays) {
  // A bright dot right of the centre: its angle after rotation is the rotation angle.
  cv::Mat image(101, 101, CV_8UC1, cv::Scalar(0));
  cv::circle(image, {85, 50}, 3, cv::Scalar(255), cv::FILLED);
  auto a = make<Augmenter>("rotate", {{"degrees", 10.0}, {"border", "constant"}});
  double lowest = 0, highest = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    cv::Moments m = cv::moments(augment(*a, image, seed));
    double angle = std::atan2(50 - m.m01 / m.m00, m.m10 / m.m00 - 50) * 180 / M_PI;
    ASSERT_LE(std::abs(angle), 10.5) << "seed " << seed;
    lowest = std::min(lowest, angle), highest = std::max(highest, angle);
  }
  EXPECT_LT(lowest, -5);
  EXPECT_GT(highest, 5);
}

TEST(RandomCrop, CutsAWindowOfTheRequestedSizeAtVaryingPositions) {
  cv::Mat image = noise_image(48, 48, CV_8UC1);
  auto a =
      make<Augmenter>("random-crop", {{"size", std::int64_t{40}}, {"padding", std::int64_t{0}}});
  std::set<std::pair<int, int>> offsets;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    cv::Mat out = augment(*a, image, seed);
    ASSERT_EQ(out.size(), cv::Size(40, 40));
    bool found = false;
    for (int y = 0; y <= 8 && !found; ++y)
      for (int x = 0; x <= 8 && !found; ++x)
        if (same_pixels(out, image(cv::Rect(x, y, 40, 40)))) offsets.insert({x, y}), found = true;
    ASSERT_TRUE(found) << "seed " << seed << ": not a window of the input";
  }
  EXPECT_GT(offsets.size(), 40u);  // of the 81 possible positions
  EXPECT_TRUE(offsets.count({0, 0}) || offsets.count({8, 8}) || offsets.count({0, 8}) ||
              offsets.count({8, 0}));
}

TEST(RandomCrop, PaddingKeepsTheInputSizeAndShiftsUpToPaddingPixels) {
  cv::Mat image = noise_image(48, 48, CV_8UC1);
  auto a = make<Augmenter>("random-crop", {{"padding", std::int64_t{4}}});
  cv::Mat padded;
  cv::copyMakeBorder(image, padded, 4, 4, 4, 4, cv::BORDER_REFLECT_101);
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    cv::Mat out = augment(*a, image, seed);
    ASSERT_EQ(out.size(), image.size());
    bool found = false;
    for (int y = 0; y <= 8 && !found; ++y)
      for (int x = 0; x <= 8 && !found; ++x)
        found = same_pixels(out, padded(cv::Rect(x, y, 48, 48)));
    ASSERT_TRUE(found) << "seed " << seed;
  }
  auto too_big = make<Augmenter>("random-crop", {{"size", std::int64_t{60}}});
  EXPECT_THROW(augment(*too_big, image, 1), std::invalid_argument);
}

TEST(Photometric, BrightnessShiftsEveryPixelEqually) {
  cv::Mat image = noise_image(32, 32, CV_8UC1);
  image = image / 2 + 64;  // 64..191: no clipping for shifts up to 51
  auto a = make<Augmenter>("photometric", {{"contrast", 0.0}, {"gamma", 0.0}, {"brightness", 0.2}});
  double lowest = 0, highest = 0;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    cv::Mat diff;
    augment(*a, image, seed).convertTo(diff, CV_32S);
    diff -= cv::Mat_<int>(image);
    double lo, hi;
    cv::minMaxLoc(diff, &lo, &hi);
    ASSERT_EQ(lo, hi) << "seed " << seed << ": not a uniform shift";
    ASSERT_LE(std::abs(lo), 0.2 * 255 + 1);
    lowest = std::min(lowest, lo), highest = std::max(highest, hi);
  }
  EXPECT_LT(lowest, -10);
  EXPECT_GT(highest, 10);
}

TEST(Photometric, ContrastScalesSpreadAroundTheMean) {
  cv::Mat image = noise_image(32, 32, CV_8UC1);
  image = image / 2 + 64;
  auto a = make<Augmenter>("photometric", {{"brightness", 0.0}, {"gamma", 0.0}, {"contrast", 0.3}});
  cv::Scalar m0, s0;
  cv::meanStdDev(image, m0, s0);
  double least = 1, most = 1;  // of the spread ratio over the seeds
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    cv::Scalar m, s;
    cv::meanStdDev(augment(*a, image, seed), m, s);
    EXPECT_NEAR(m[0], m0[0], 1.0);
    EXPECT_GE(s[0] / s0[0], 0.69);
    EXPECT_LE(s[0] / s0[0], 1.31);
    least = std::min(least, s[0] / s0[0]), most = std::max(most, s[0] / s0[0]);
  }
  // Factors in [0.7, 1.3]: over 20 seeds some lower the contrast and some raise it markedly.
  EXPECT_LT(least, 0.9);
  EXPECT_GT(most, 1.1);
}

TEST(Photometric, GammaIsAMonotoneCurveFixingBlackAndWhite) {
  cv::Mat ramp(1, 256, CV_8UC1);
  for (int v = 0; v < 256; ++v) ramp.at<unsigned char>(v) = static_cast<unsigned char>(v);
  auto a = make<Augmenter>("photometric", {{"brightness", 0.0}, {"contrast", 0.0}, {"gamma", 0.5}});
  int darker = 0, brighter = 0;  // seeds whose curve moves mid-grey down or up
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    cv::Mat out = augment(*a, ramp, seed);
    EXPECT_EQ(out.at<unsigned char>(0), 0);
    EXPECT_EQ(out.at<unsigned char>(255), 255);
    for (int v = 1; v < 256; ++v) ASSERT_GE(out.at<unsigned char>(v), out.at<unsigned char>(v - 1));
    const int middle = out.at<unsigned char>(128);
    darker += middle<128 - 5, brighter += middle> 128 + 5;
  }
  // A curve that does nothing would pass the checks above: gamma must bend it both ways.
  EXPECT_GT(darker, 0);
  EXPECT_GT(brighter, 0);
}

TEST(GaussianNoise, AddsZeroMeanNoiseOfTheRequestedStd) {
  cv::Mat flat(64, 64, CV_8UC1, cv::Scalar(128));
  auto a = make<Augmenter>("gaussian-noise", {{"sigma", 10.0}, {"min_sigma", 10.0}, {"p", 1.0}});
  cv::Mat diff;
  cv::Mat(cv::Mat_<double>(augment(*a, flat, 5)) - 128.0).copyTo(diff);
  cv::Scalar mean, sd;
  cv::meanStdDev(diff, mean, sd);
  EXPECT_NEAR(mean[0], 0, 0.8);
  EXPECT_NEAR(sd[0], 10, 0.8);
  auto never = make<Augmenter>("gaussian-noise", {{"p", 0.0}});
  EXPECT_TRUE(same_pixels(augment(*never, flat, 5), flat));
  EXPECT_THROW(make<Augmenter>("gaussian-noise", {{"sigma", 2.0}, {"min_sigma", 3.0}}),
               std::invalid_argument);
}

TEST(RandomErasing, BlanksOneRectangleOfTheAllowedArea) {
  cv::Mat white(48, 48, CV_8UC1, cv::Scalar(255));
  auto a = make<Augmenter>("random-erasing", {{"p", 1.0}, {"fill", "black"}});
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    cv::Mat erased = augment(*a, white, seed) == 0;
    int count = cv::countNonZero(erased);
    ASSERT_GT(count, 0) << "seed " << seed;
    cv::Rect box = cv::boundingRect(erased);
    ASSERT_EQ(count, box.area()) << "seed " << seed << ": not a rectangle";
    double fraction = count / double(white.total());
    EXPECT_GE(fraction, 0.02 * 0.7);
    EXPECT_LE(fraction, 0.25 * 1.3);
    double aspect = box.height / double(box.width);
    EXPECT_GE(aspect, 0.3 * 0.7);
    EXPECT_LE(aspect, 3.3 / 0.7);
  }
  auto never = make<Augmenter>("random-erasing", {{"p", 0.0}});
  EXPECT_TRUE(same_pixels(augment(*never, white, 1), white));
}

TEST(RandomErasing, MeanFillUsesTheImageMean) {
  cv::Mat image(40, 40, CV_8UC1, cv::Scalar(100));
  image.rowRange(0, 20).setTo(200);  // mean 150, a value found nowhere in the image
  auto a = make<Augmenter>("random-erasing", {{"p", 1.0}, {"fill", "mean"}});
  EXPECT_GT(cv::countNonZero(augment(*a, image, 2) == 150), 0);
}

// Intensity-weighted centre of a row or of the whole image.
double row_centre_x(const cv::Mat& image, int row) {
  cv::Moments m = cv::moments(image.row(row));
  return m.m10 / m.m00;
}

TEST(Affine, ZeroRangesLeaveTheImageUnchanged) {
  cv::Mat image = noise_image(48, 48, CV_8UC1);
  auto a = make<Augmenter>("affine",
                           {{"shift", 0.0}, {"shear", 0.0}, {"scale", std::vector<double>{1, 1}}});
  EXPECT_TRUE(same_pixels(augment(*a, image, 4), image));
}

TEST(Affine, ShiftMovesADotWithinTheLimitBothWays) {
  cv::Mat image(64, 64, CV_8UC1, cv::Scalar(0));
  cv::circle(image, {32, 32}, 3, cv::Scalar(255), cv::FILLED);
  auto a = make<Augmenter>("affine", {{"shift", 0.1},
                                      {"shear", 0.0},
                                      {"scale", std::vector<double>{1, 1}},
                                      {"border", "constant"}});
  double lowest = 0, highest = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    cv::Moments m = cv::moments(augment(*a, image, seed));
    double dx = m.m10 / m.m00 - 32, dy = m.m01 / m.m00 - 32;
    ASSERT_LE(std::abs(dx), 6.4 + 0.5);
    ASSERT_LE(std::abs(dy), 6.4 + 0.5);
    lowest = std::min({lowest, dx, dy}), highest = std::max({highest, dx, dy});
  }
  EXPECT_LT(lowest, -3);
  EXPECT_GT(highest, 3);
}

TEST(Affine, ScaleChangesAreaBySquaredFactor) {
  cv::Mat image(64, 64, CV_8UC1, cv::Scalar(0));
  image(cv::Rect(22, 22, 20, 20)).setTo(255);
  auto a = make<Augmenter>("affine", {{"shift", 0.0},
                                      {"shear", 0.0},
                                      {"scale", std::vector<double>{0.8, 1.25}},
                                      {"border", "constant"}});
  double smallest = 1, largest = 1;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    double ratio = cv::sum(augment(*a, image, seed))[0] / cv::sum(image)[0];
    ASSERT_GE(ratio, 0.8 * 0.8 - 0.03);
    ASSERT_LE(ratio, 1.25 * 1.25 + 0.03);
    smallest = std::min(smallest, ratio), largest = std::max(largest, ratio);
  }
  EXPECT_LT(smallest, 0.85);
  EXPECT_GT(largest, 1.2);
}

TEST(Affine, ShearSlantsAVerticalLineWithinTheLimit) {
  cv::Mat image(65, 65, CV_8UC1, cv::Scalar(0));
  image.col(32).setTo(255);
  auto a = make<Augmenter>("affine", {{"shift", 0.0},
                                      {"shear", 10.0},
                                      {"scale", std::vector<double>{1, 1}},
                                      {"border", "constant"}});
  double lowest = 0, highest = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    cv::Mat out = augment(*a, image, seed);
    double slope = (row_centre_x(out, 56) - row_centre_x(out, 8)) / 48;
    ASSERT_LE(std::abs(slope), std::tan(10 * M_PI / 180) + 0.01) << "seed " << seed;
    lowest = std::min(lowest, slope), highest = std::max(highest, slope);
  }
  EXPECT_LT(lowest, -0.05);
  EXPECT_GT(highest, 0.05);
}

TEST(Blur, RemovesFineDetailAndKeepsTheMean) {
  cv::Mat image = noise_image(48, 48, CV_8UC1);
  auto a = make<Augmenter>("blur", {{"p", 1.0}, {"min_sigma", 1.0}, {"sigma", 2.0}});
  auto detail = [](const cv::Mat& m) {
    cv::Mat lap;
    cv::Laplacian(m, lap, CV_64F);
    cv::Scalar mean, sd;
    cv::meanStdDev(lap, mean, sd);
    return sd[0];
  };
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    cv::Mat out = augment(*a, image, seed);
    EXPECT_LT(detail(out), 0.3 * detail(image));
    EXPECT_NEAR(cv::mean(out)[0], cv::mean(image)[0], 1.0);
  }
  EXPECT_TRUE(same_pixels(augment(*make<Augmenter>("blur", {{"p", 0.0}}), image, 1), image));
  EXPECT_THROW(make<Augmenter>("blur", {{"sigma", 1.0}, {"min_sigma", 2.0}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace ferlab::test
