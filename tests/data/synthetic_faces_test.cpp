// The synthetic-faces dataset: counts, balance, determinism, and that it is learnable but not
// trivially so (checked with a simple classifier independent of the project's engine).
#include <algorithm>
#include <cctype>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <set>

#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

using Overrides = std::map<std::string, Value>;

DatasetContents load(const Overrides& overrides = {}) {
  RecordingEvents events;
  return make<Dataset>("synthetic-faces", overrides)->load(events);
}

Overrides small(std::int64_t seed = 1) {
  return {{"seed", seed},
          {"train_count", std::int64_t{70}},
          {"val_count", std::int64_t{14}},
          {"test_count", std::int64_t{14}}};
}

bool same_split(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].label != b[i].label || !same_pixels(a[i].image, b[i].image))
      return false;
  }
  return true;
}

// Nearest class centroid on HOG features: far weaker than a CNN, and blind to how the
// images were made.
double nearest_centroid_accuracy(const DatasetContents& data) {
  cv::HOGDescriptor hog({48, 48}, {16, 16}, {8, 8}, {8, 8}, 9);
  auto features = [&](const Sample& s) {
    std::vector<float> f;
    hog.compute(s.image, f);
    return cv::Mat(f, true).reshape(1, 1);
  };
  std::vector<cv::Mat> centroids(data.classes.size());
  std::vector<int> counts(data.classes.size(), 0);
  for (const Sample& s : data.splits.at("train")) {
    cv::Mat f = features(s);
    if (centroids[s.label].empty()) centroids[s.label] = cv::Mat::zeros(f.size(), CV_32F);
    centroids[s.label] += f;
    ++counts[s.label];
  }
  for (size_t k = 0; k < centroids.size(); ++k) centroids[k] /= counts[k];
  int correct = 0;
  const auto& test = data.splits.at("test");
  for (const Sample& s : test) {
    cv::Mat f = features(s);
    int best = 0;
    for (size_t k = 1; k < centroids.size(); ++k)
      if (cv::norm(f, centroids[k]) < cv::norm(f, centroids[best])) best = static_cast<int>(k);
    correct += best == s.label;
  }
  return correct / double(test.size());
}

TEST(SyntheticFaces, DefaultsGiveBalancedFer2013Splits) {
  DatasetContents data = load();
  EXPECT_EQ(data.classes, (std::vector<std::string>{"angry", "disgust", "fear", "happy", "sad",
                                                    "surprise", "neutral"}));
  const std::map<std::string, size_t> expected = {{"train", 1400}, {"val", 350}, {"test", 350}};
  ASSERT_EQ(data.splits.size(), expected.size());
  std::set<std::string> ids;
  for (const auto& [split, count] : expected) {
    const auto& samples = data.splits.at(split);
    ASSERT_EQ(samples.size(), count) << split;
    std::vector<size_t> per_class(7, 0);
    for (const Sample& s : samples) {
      ASSERT_EQ(s.image.type(), CV_8UC1);
      ASSERT_EQ(s.image.size(), cv::Size(48, 48));
      // "synthetic:<split>:<six digits>"
      const std::string prefix = "synthetic:" + split + ":";
      ASSERT_EQ(s.id.substr(0, prefix.size()), prefix);
      ASSERT_EQ(s.id.size(), prefix.size() + 6) << s.id;
      ASSERT_TRUE(std::all_of(s.id.begin() + prefix.size(), s.id.end(), ::isdigit)) << s.id;
      ASSERT_TRUE(ids.insert(s.id).second) << "duplicate id " << s.id;
      ASSERT_GE(s.label, 0);
      ASSERT_LT(s.label, 7);
      ++per_class[s.label];
    }
    for (size_t n : per_class) EXPECT_EQ(n, count / 7) << split;
  }
  EXPECT_EQ(data.splits.at("train")[123].id, "synthetic:train:000123");
}

TEST(SyntheticFaces, SameSeedSameImagesWhateverTheThreadCount) {
  DatasetContents a = load(small(5));
  int threads = cv::getNumThreads();
  cv::setNumThreads(1);
  DatasetContents b = load(small(5));
  cv::setNumThreads(threads);
  for (const auto& [split, samples] : a.splits)
    EXPECT_TRUE(same_split(samples, b.splits.at(split)));

  DatasetContents c = load(small(6));
  const auto& a_train = a.splits.at("train");
  const auto& c_train = c.splits.at("train");
  int differing = 0;
  for (size_t i = 0; i < a_train.size(); ++i)
    differing += !same_pixels(a_train[i].image, c_train[i].image);
  EXPECT_EQ(differing, static_cast<int>(a_train.size()));
}

TEST(SyntheticFaces, SplitsHoldDifferentImages) {
  DatasetContents data = load(small());
  const auto& train = data.splits.at("train");
  const auto& test = data.splits.at("test");
  for (size_t i = 0; i < test.size(); ++i) EXPECT_FALSE(same_pixels(train[i].image, test[i].image));
}

TEST(SyntheticFaces, SizeParameterSetsTheImageSide) {
  DatasetContents data = load({{"size", std::int64_t{64}},
                               {"train_count", std::int64_t{7}},
                               {"val_count", std::int64_t{7}},
                               {"test_count", std::int64_t{7}}});
  for (const auto& [split, samples] : data.splits)
    for (const Sample& s : samples) EXPECT_EQ(s.image.size(), cv::Size(64, 64));
}

TEST(SyntheticFaces, ClassesLookDifferentOnAverage) {
  // With pose, lighting and noise switched off the class means must still differ clearly:
  // the expression, not a nuisance factor, is what separates the classes.
  DatasetContents data = load({{"max_rotation", 0.0},
                               {"max_shift", 0.0},
                               {"lighting", 0.0},
                               {"noise", 0.0},
                               {"occlusion", 0.0},
                               {"scale", std::vector<double>{1, 1}}});
  std::vector<cv::Mat> means;
  for (int k = 0; k < 7; ++k) means.push_back(cv::Mat::zeros(48, 48, CV_64F));
  for (const Sample& s : data.splits.at("train")) cv::accumulate(s.image, means[s.label]);
  for (cv::Mat& m : means) m /= 200;  // images per class
  for (int a = 0; a < 7; ++a)
    for (int b = a + 1; b < 7; ++b)
      EXPECT_GT(cv::norm(means[a], means[b], cv::NORM_L1) / (48 * 48), 1.5)  // gray levels
          << data.classes[a] << " vs " << data.classes[b];
}

TEST(SyntheticFaces, LearnableButNotTrivial) {
  double accuracy = nearest_centroid_accuracy(load());
  EXPECT_GT(accuracy, 0.30);  // chance is 1/7 = 0.14
  EXPECT_LT(accuracy, 0.80);
  // The difficulty knobs work: without nuisance factors and at full intensity it is easy.
  double easy = nearest_centroid_accuracy(load({{"max_rotation", 0.0},
                                                {"max_shift", 0.0},
                                                {"lighting", 0.0},
                                                {"noise", 0.0},
                                                {"occlusion", 0.0},
                                                {"jitter", 0.0},
                                                {"intensity", std::vector<double>{1, 1}},
                                                {"scale", std::vector<double>{1, 1}}}));
  EXPECT_GT(easy, accuracy + 0.2);
}

TEST(SyntheticFaces, LabelNoiseRelabelsTheRequestedFraction) {
  DatasetContents data = load({{"label_noise", 0.5}});
  const auto& train = data.splits.at("train");
  int kept = 0;
  for (size_t i = 0; i < train.size(); ++i) kept += train[i].label == static_cast<int>(i % 7);
  // Half relabelled at random, of which 1/7 land on the original class again.
  EXPECT_NEAR(kept / double(train.size()), 0.5 + 0.5 / 7, 0.05);
}

TEST(SyntheticFaces, InvertedRangeIsRefused) {
  EXPECT_THROW(make<Dataset>("synthetic-faces", {{"intensity", std::vector<double>{0.9, 0.2}}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace ferlab::test
