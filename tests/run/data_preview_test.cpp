// The preview's stratified pick on hand-made label lists.
#include "run/data_preview.hpp"

#include <gtest/gtest.h>

#include <set>

namespace {

std::vector<ferlab::Sample> with_labels(const std::vector<int>& labels) {
  std::vector<ferlab::Sample> samples;
  for (size_t i = 0; i < labels.size(); ++i)
    samples.push_back({cv::Mat(), labels[i], std::to_string(i)});
  return samples;
}

std::vector<int> labels_of(const std::vector<ferlab::Sample>& samples,
                           const std::vector<std::size_t>& picked) {
  std::vector<int> out;
  for (std::size_t i : picked) out.push_back(samples.at(i).label);
  return out;
}

}  // namespace

TEST(StratifiedPick, TakesTheClassesInTurnSoEachShowsBeforeAnyRepeats) {
  // Class 0 has four samples, class 1 one, class 2 two, class 3 none.
  auto samples = with_labels({0, 0, 2, 0, 1, 2, 0});
  auto picked = ferlab::run::stratified_pick(samples, 4, 5, 11);
  EXPECT_EQ(labels_of(samples, picked), (std::vector<int>{0, 1, 2, 0, 2}));
  EXPECT_EQ(std::set<std::size_t>(picked.begin(), picked.end()).size(), 5u);
}

TEST(StratifiedPick, StopsAtTheSplitsSizeAndRepeatsForTheSameSeed) {
  auto samples = with_labels({0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1});
  auto all = ferlab::run::stratified_pick(samples, 2, 100, 5);
  EXPECT_EQ(std::set<std::size_t>(all.begin(), all.end()).size(), samples.size());
  EXPECT_EQ(ferlab::run::stratified_pick(samples, 2, 100, 5), all);
  // Six of one class can be shuffled 720 ways: another seed gives another order.
  EXPECT_NE(ferlab::run::stratified_pick(samples, 2, 100, 6), all);
  EXPECT_TRUE(ferlab::run::stratified_pick(samples, 2, 0, 5).empty());
}
