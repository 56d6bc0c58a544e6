// Test-time augmentation: the views of each mode, cut and mirrored as stated, and class
// probabilities averaged over views, checked against predictions on views made by hand.
#include "run/tta.hpp"

#include "engine/initialize.hpp"
#include "engine/trainer.hpp"
#include "engine_fixture.hpp"
#include "metrics/metrics.hpp"

namespace ferlab::test {
namespace {

cv::Mat numbered(int rows, int cols) {  // pixel (y, x) = 10 y + x: every position distinct
  cv::Mat image(rows, cols, CV_8UC1);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) image.at<unsigned char>(y, x) = 10 * y + x;
  return image;
}

TEST(Tta, ViewsAreTheImageItsMirrorAndTheTenCrops) {
  const cv::Mat image = numbered(8, 9);
  auto none = run::tta_views(image, options::Tta::none);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_TRUE(cv::norm(none[0], image, cv::NORM_INF) == 0);
  auto hflip = run::tta_views(image, options::Tta::hflip);
  ASSERT_EQ(hflip.size(), 2u);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 9; ++x) EXPECT_EQ(hflip[1].at<unsigned char>(y, x), 10 * y + (8 - x));

  auto ten = run::tta_views(image, options::Tta::ten_crop, 5);
  ASSERT_EQ(ten.size(), 10u);
  // Top-left corners of the five crops of side 5 in a 9 x 8 image.
  const int corners[5][2] = {{0, 0}, {4, 0}, {0, 3}, {4, 3}, {2, 1}};
  for (int v = 0; v < 5; ++v) {
    ASSERT_EQ(ten[v].size(), cv::Size(5, 5));
    for (int y = 0; y < 5; ++y)
      for (int x = 0; x < 5; ++x) {
        const int value = 10 * (corners[v][1] + y) + corners[v][0] + x;
        EXPECT_EQ(ten[v].at<unsigned char>(y, x), value) << "view " << v;
        EXPECT_EQ(ten[v + 5].at<unsigned char>(y, 4 - x), value) << "mirror of view " << v;
      }
  }
  // Default crop: 7/8 of the short side (8 -> 7).
  EXPECT_EQ(run::tta_views(image, options::Tta::ten_crop)[0].size(), cv::Size(7, 7));
  EXPECT_THROW(run::tta_views(image, options::Tta::ten_crop, 9), std::invalid_argument);
}

TEST(Tta, AveragesTheProbabilitiesOfTheViews) {
  const InputShape shape{1, 8, 8};
  NetworkDef def;
  def.layers = {LayerDef{"conv", "convolution", {}, Params({{"filters", Value(std::int64_t{3})}})},
                LayerDef{"flat", "flatten", {}, {}},
                LayerDef{"logits", "dense", {}, Params({{"units", Value(std::int64_t{3})}})}};
  engine::Network net(def, assembly::catalog_layer_factory(catalog()), shape);
  engine::initialize_parameters(net.parameters(), options::Init::he, 5);
  std::vector<Sample> samples;
  cv::RNG rng(4);
  for (int i = 0; i < 40; ++i) {
    cv::Mat image(8, 8, CV_8UC1);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    samples.push_back({image, i % 3, std::to_string(i)});
  }
  // Views made here, independently of tta_views: mirrors, and crops of 6 resized to 8.
  auto transformed = [&](auto make) {
    std::vector<Sample> out = samples;
    for (Sample& s : out) s.image = make(s.image);
    return engine::predict(net, out);
  };
  const auto plain = engine::predict(net, samples);
  const auto mirrored = transformed([](const cv::Mat& m) {
    cv::Mat f;
    cv::flip(m, f, 1);
    return f;
  });
  // The known case: some images get another answer from their mirror.
  int differ = 0;
  for (std::size_t i = 0; i < samples.size(); ++i)
    differ += metrics::argmax(plain[i].data(), 3) != metrics::argmax(mirrored[i].data(), 3);
  ASSERT_GT(differ, 0);

  const auto none = run::tta_probabilities(net, samples, options::Tta::none);
  const auto hflip = run::tta_probabilities(net, samples, options::Tta::hflip);
  std::vector<std::vector<float>> crops_sum(samples.size(), std::vector<float>(3, 0.f));
  for (cv::Point at :
       {cv::Point(0, 0), cv::Point(2, 0), cv::Point(0, 2), cv::Point(2, 2), cv::Point(1, 1)})
    for (bool flip : {false, true}) {
      const auto p = transformed([&](const cv::Mat& m) {
        cv::Mat crop = m(cv::Rect(at.x, at.y, 6, 6)).clone();
        if (flip) cv::flip(crop, crop, 1);
        return crop;
      });
      for (std::size_t i = 0; i < samples.size(); ++i)
        for (int k = 0; k < 3; ++k) crops_sum[i][k] += p[i][k];
    }
  const auto ten = run::tta_probabilities(net, samples, options::Tta::ten_crop, 6);
  // All modes at once (as evaluations ask), hflip first: it reuses the pass of none.
  const auto all = run::tta_probabilities(
      net, samples, {options::Tta::hflip, options::Tta::none, options::Tta::ten_crop}, 6);
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t i = 0; i < samples.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(none[i][k], plain[i][k]);
      EXPECT_NEAR(hflip[i][k], (plain[i][k] + mirrored[i][k]) / 2, 1e-6) << "sample " << i;
      EXPECT_NEAR(ten[i][k], crops_sum[i][k] / 10, 1e-6) << "sample " << i;
      EXPECT_NEAR(all[0][i][k], (plain[i][k] + mirrored[i][k]) / 2, 1e-6) << "sample " << i;
      EXPECT_EQ(all[1][i][k], plain[i][k]);
      EXPECT_NEAR(all[2][i][k], crops_sum[i][k] / 10, 1e-6) << "sample " << i;
    }
}

}  // namespace
}  // namespace ferlab::test
