// Each preprocessor plugin, loaded from the build tree, checked for its effect on known images.
#include <opencv2/imgproc.hpp>

#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

using Overrides = std::map<std::string, Value>;

cv::Mat run(const std::string& name, const cv::Mat& image, const Overrides& overrides = {}) {
  RecordingEvents events;
  cv::Mat out = make<Preprocessor>(name, overrides)->apply(image, events);
  EXPECT_TRUE(events.warnings.empty());
  return out;
}

cv::Mat noise_image(int rows, int cols, int type, double mean, double stddev, int seed = 1) {
  cv::Mat image(rows, cols, type);
  cv::RNG rng(seed);
  rng.fill(image, cv::RNG::NORMAL, cv::Scalar::all(mean), cv::Scalar::all(stddev));
  return image;
}

double stddev(const cv::Mat& image) {
  cv::Scalar mean, sd;
  cv::meanStdDev(image, mean, sd);
  return sd[0];
}

// A vertical step edge: dark left half, bright right half.
cv::Mat step_image(int side = 48, int dark = 50, int bright = 200) {
  cv::Mat image(side, side, CV_8UC1, cv::Scalar(dark));
  image.colRange(side / 2, side).setTo(bright);
  return image;
}

TEST(Grayscale, ConvertsBgrWithLumaWeightsAndCopiesGray) {
  cv::Mat red(4, 4, CV_8UC3, cv::Scalar(0, 0, 255));  // BGR
  cv::Mat out = run("grayscale", red);
  ASSERT_EQ(out.type(), CV_8UC1);
  EXPECT_NEAR(out.at<unsigned char>(0, 0), 76, 1);  // 0.299 * 255

  cv::Mat gray = noise_image(8, 8, CV_8UC1, 128, 30);
  cv::Mat same = run("grayscale", gray);
  EXPECT_TRUE(same_pixels(same, gray));
  EXPECT_NE(same.data, gray.data);  // callers may modify the result
}

TEST(Resize, StretchGivesSquareOfRequestedSize) {
  cv::Mat out = run("resize", noise_image(60, 100, CV_8UC3, 128, 40), {{"size", std::int64_t{48}}});
  EXPECT_EQ(out.size(), cv::Size(48, 48));
  EXPECT_EQ(out.type(), CV_8UC3);
}

TEST(Resize, NearestDoublingReplicatesEachPixel) {
  cv::Mat in = noise_image(8, 8, CV_8UC1, 128, 50);
  cv::Mat out = run("resize", in, {{"size", std::int64_t{16}}, {"interpolation", "nearest"}});
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x)
      ASSERT_EQ(out.at<unsigned char>(y, x), in.at<unsigned char>(y / 2, x / 2));
}

TEST(Resize, CropKeepsCentreAndPadAddsBlackBands) {
  // 96x48: black outer quarters, white centre half.
  cv::Mat wide(48, 96, CV_8UC1, cv::Scalar(0));
  wide.colRange(24, 72).setTo(255);
  cv::Mat cropped = run("resize", wide, {{"size", std::int64_t{48}}, {"fit", "crop"}});
  ASSERT_EQ(cropped.size(), cv::Size(48, 48));
  EXPECT_EQ(cv::countNonZero(cropped == 255), 48 * 48);

  cv::Mat white(48, 96, CV_8UC1, cv::Scalar(255));
  cv::Mat padded = run("resize", white, {{"size", std::int64_t{48}}, {"fit", "pad"}});
  ASSERT_EQ(padded.size(), cv::Size(48, 48));
  EXPECT_EQ(cv::countNonZero(padded.rowRange(0, 12)), 0);
  EXPECT_EQ(cv::countNonZero(padded.rowRange(36, 48)), 0);
  EXPECT_EQ(cv::countNonZero(padded.rowRange(12, 36) == 255), 24 * 48);
}

TEST(HistEq, SpreadsANarrowHistogramOverTheFullRange) {
  cv::Mat narrow = noise_image(48, 48, CV_8UC1, 110, 5);  // roughly 95..125
  double lo, hi;
  cv::minMaxLoc(narrow, &lo, &hi);
  ASSERT_GT(lo, 80);
  ASSERT_LT(hi, 140);
  cv::Mat out = run("hist-eq", narrow);
  cv::minMaxLoc(out, &lo, &hi);
  EXPECT_LE(lo, 5);
  EXPECT_EQ(hi, 255);
  EXPECT_GT(stddev(out), 8 * stddev(narrow));
  // Monotone: a brighter input pixel never becomes darker than a dimmer one.
  for (int i = 1; i < narrow.rows * narrow.cols; ++i) {
    int a = narrow.data[i - 1], b = narrow.data[i];
    if (a < b) {
      ASSERT_LE(out.data[i - 1], out.data[i]);
    }
  }
}

TEST(HistEq, ColourImagesKeepThreeChannels) {
  cv::Mat out = run("hist-eq", noise_image(32, 32, CV_8UC3, 110, 5));
  EXPECT_EQ(out.type(), CV_8UC3);
  EXPECT_GT(stddev(out), 20);
}

TEST(Clahe, RaisesLocalContrastInDarkAndBrightHalves) {
  // Faint texture on a dark left half and a bright right half: global equalisation would
  // spend the range on the gap between the halves; CLAHE works within each tile.
  cv::Mat image = noise_image(64, 64, CV_8UC1, 0, 3);
  image.colRange(0, 32) += 40;
  image.colRange(32, 64) += 200;
  cv::Mat out = run("clahe", image, {{"clip", 4.0}, {"grid", std::int64_t{4}}});
  for (auto half : {cv::Range(0, 32), cv::Range(32, 64)}) {
    EXPECT_GT(stddev(out.colRange(half)), 3 * stddev(image.colRange(half)));
  }
  // A higher clip limit allows more contrast.
  cv::Mat mild = run("clahe", image, {{"clip", 1.0}, {"grid", std::int64_t{4}}});
  EXPECT_GT(stddev(out.colRange(0, 32)), stddev(mild.colRange(0, 32)));
}

TEST(CenterCrop, CutsTheCentralSquare) {
  cv::Mat image = noise_image(48, 48, CV_8UC1, 128, 50);
  cv::Mat out = run("center-crop", image, {{"size", std::int64_t{40}}});
  EXPECT_TRUE(same_pixels(out, image(cv::Rect(4, 4, 40, 40))));

  cv::Mat wide = noise_image(40, 60, CV_8UC3, 128, 50);
  out = run("center-crop", wide, {{"fraction", 0.5}});
  EXPECT_TRUE(same_pixels(out, wide(cv::Rect(20, 10, 20, 20))));

  EXPECT_THROW(run("center-crop", image, {{"size", std::int64_t{49}}}), std::invalid_argument);
}

TEST(Denoise, EveryMethodReducesNoiseOnAFlatImage) {
  cv::Mat noisy = noise_image(48, 48, CV_8UC1, 128, 20);
  const std::vector<std::pair<std::string, Overrides>> methods = {
      {"gaussian", {{"sigma", 1.5}}},
      {"median", {{"ksize", std::int64_t{5}}}},
      {"bilateral", {{"sigma_color", 80.0}}},
      {"nlm", {{"h", 25.0}}},
  };
  for (auto [method, overrides] : methods) {
    overrides["method"] = method;
    cv::Mat out = run("denoise", noisy, overrides);
    EXPECT_EQ(out.type(), CV_8UC1) << method;
    EXPECT_LT(stddev(out), 0.6 * stddev(noisy)) << method;
  }
}

TEST(Denoise, MedianKeepsAStepEdgeThatGaussianBlurs) {
  cv::Mat step = step_image();
  EXPECT_TRUE(same_pixels(run("denoise", step, {{"method", "median"}}), step));
  EXPECT_FALSE(same_pixels(run("denoise", step, {{"method", "gaussian"}}), step));
}

TEST(Denoise, EvenApertureIsRefused) {
  EXPECT_THROW(make<Preprocessor>("denoise", {{"ksize", std::int64_t{4}}}), std::invalid_argument);
}

TEST(Sharpen, SteepensABlurredEdgeAndLeavesFlatAreas) {
  cv::Mat soft;
  cv::GaussianBlur(step_image(), soft, {0, 0}, 2.0);
  cv::Mat sharp = run("sharpen", soft, {{"amount", 1.5}, {"sigma", 2.0}});
  auto steepest = [](const cv::Mat& m) {
    int best = 0;
    for (int x = 1; x < m.cols; ++x)
      best = std::max(best, m.at<unsigned char>(24, x) - m.at<unsigned char>(24, x - 1));
    return best;
  };
  EXPECT_GT(steepest(sharp), steepest(soft) + 10);
  // Overshoot on both sides of the edge (the unsharp-mask halo).
  EXPECT_LT(sharp.at<unsigned char>(24, 20), soft.at<unsigned char>(24, 20));
  EXPECT_GT(sharp.at<unsigned char>(24, 27), soft.at<unsigned char>(24, 27));
  cv::Mat flat(16, 16, CV_8UC1, cv::Scalar(90));
  EXPECT_TRUE(same_pixels(run("sharpen", flat), flat));
  EXPECT_TRUE(same_pixels(run("sharpen", soft, {{"amount", 0.0}}), soft));
}

TEST(Sharpen, ThresholdLeavesFaintNoiseAlone) {
  cv::Mat faint = noise_image(32, 32, CV_8UC1, 128, 1);
  EXPECT_TRUE(same_pixels(run("sharpen", faint, {{"threshold", 20.0}}), faint));
  EXPECT_FALSE(same_pixels(run("sharpen", faint, {{"amount", 3.0}}), faint));
}

TEST(Normalize, PerImageGivesTheTargetMeanAndStd) {
  cv::Mat dim = noise_image(48, 48, CV_8UC1, 40, 6);
  cv::Mat out = run("normalize", dim, {{"target_mean", 128.0}, {"target_std", 48.0}});
  cv::Scalar mean, sd;
  cv::meanStdDev(out, mean, sd);
  EXPECT_NEAR(mean[0], 128, 1.5);
  EXPECT_NEAR(sd[0], 48, 1.5);
  cv::Mat flat(8, 8, CV_8UC1, cv::Scalar(30));  // no spread: shifted, not amplified
  EXPECT_EQ(cv::countNonZero(run("normalize", flat) == 128), 64);
}

TEST(Normalize, DatasetModeUsesTrainStatisticsOnly) {
  auto normalize = make<Preprocessor>("normalize", {{"mode", "dataset"}, {"target_std", 40.0}});
  RecordingEvents events;
  cv::Mat image(4, 4, CV_8UC1, cv::Scalar(100));
  EXPECT_THROW(normalize->apply(image, events), std::logic_error);  // not fitted yet
  // Train pixels: half 80, half 120 -> mean 100, std 20.
  std::vector<Sample> train(2);
  train[0].image = cv::Mat(4, 4, CV_8UC1, cv::Scalar(80));
  train[1].image = cv::Mat(4, 4, CV_8UC1, cv::Scalar(120));
  normalize->fit(train);
  EXPECT_EQ(normalize->apply(image, events).at<unsigned char>(0, 0), 128);  // the mean
  image.setTo(120);                                                         // mean + 1 std
  EXPECT_EQ(normalize->apply(image, events).at<unsigned char>(0, 0), 168);
}

// What fit() learned survives as text: a fresh instance given it (or the same numbers written
// by hand) applies the train split's statistics, as prediction from a checkpoint does.
TEST(Normalize, RestoredStateAppliesTheTrainStatistics) {
  const std::map<std::string, Value> dataset_mode = {{"mode", "dataset"}, {"target_std", 40.0}};
  std::vector<Sample> train(2);
  train[0].image = cv::Mat(4, 4, CV_8UC1, cv::Scalar(80));
  train[1].image = cv::Mat(4, 4, CV_8UC1, cv::Scalar(120));
  auto fitted = make<Preprocessor>("normalize", dataset_mode);
  fitted->fit(train);
  for (const std::string& state : {fitted->fitted_state(), std::string("100 20")}) {
    auto restored = make<Preprocessor>("normalize", dataset_mode);
    restored->restore(state);
    RecordingEvents events;
    EXPECT_EQ(restored->apply(cv::Mat(4, 4, CV_8UC1, cv::Scalar(100)), events).at<uchar>(0, 0), 128)
        << state;
    EXPECT_EQ(restored->apply(cv::Mat(4, 4, CV_8UC1, cv::Scalar(120)), events).at<uchar>(0, 0), 168)
        << state;
  }
  auto other = make<Preprocessor>("normalize", dataset_mode);
  for (const char* bad : {"", "100", "100 twenty", "100 20 7", "100 -1"})
    EXPECT_THROW(other->restore(bad), std::invalid_argument) << bad;
  auto per_image = make<Preprocessor>("normalize", {});
  per_image->fit(train);
  EXPECT_EQ(per_image->fitted_state(), "");  // learns nothing
  EXPECT_NO_THROW(per_image->restore(""));
  EXPECT_THROW(per_image->restore("100 20"), std::invalid_argument);
}

TEST(Preprocessor, OneThatLearnsNothingHasNoStateAndTakesNone) {
  auto clahe = make<Preprocessor>("clahe", {});
  EXPECT_EQ(clahe->fitted_state(), "");
  EXPECT_NO_THROW(clahe->restore(""));
  EXPECT_THROW(clahe->restore("0.5"), std::invalid_argument);
}

}  // namespace
}  // namespace ferlab::test
