// The face tracker behind `ferlab predict --smooth N`: faces keep their number while they move,
// whatever order the detector lists them in; probabilities are averaged over each face's last N
// frames (checked against sums written out by hand).
#include "predict/face_tracker.hpp"

#include <gtest/gtest.h>

namespace ferlab::predict {
namespace {

TEST(Iou, OfKnownRectangles) {
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0);
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {5, 0, 10, 10}), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {20, 20, 5, 5}), 0.0);
}

TEST(FaceTracker, KeepsIdsWhileFacesMoveAndSwapOrder) {
  FaceTracker tracker(1);
  const std::vector<float> p = {0.5f, 0.5f};
  auto first = tracker.update({{0, 0, 100, 100}, {300, 0, 100, 100}}, {p, p});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_NE(first[0].track, first[1].track);
  // Both moved a little and the detector listed them the other way round.
  auto second = tracker.update({{310, 5, 100, 100}, {8, 4, 100, 100}}, {p, p});
  EXPECT_EQ(second[0].track, first[1].track);
  EXPECT_EQ(second[1].track, first[0].track);
  // A third face appears: a new number.
  auto third =
      tracker.update({{8, 4, 100, 100}, {310, 5, 100, 100}, {150, 200, 80, 80}}, {p, p, p});
  EXPECT_EQ(third[0].track, first[0].track);
  EXPECT_EQ(third[1].track, first[1].track);
  EXPECT_NE(third[2].track, first[0].track);
  EXPECT_NE(third[2].track, first[1].track);
}

TEST(FaceTracker, ForgetsAFaceUnseenForLongerThanItsPatience) {
  FaceTracker tracker(1, /*patience=*/2);
  const std::vector<float> p = {1.f};
  const int id = tracker.update({{0, 0, 50, 50}}, {p})[0].track;
  tracker.update({}, {});
  tracker.update({}, {});
  EXPECT_EQ(tracker.update({{0, 0, 50, 50}}, {p})[0].track, id) << "back within patience";
  for (int i = 0; i < 3; ++i) tracker.update({}, {});
  EXPECT_NE(tracker.update({{0, 0, 50, 50}}, {p})[0].track, id) << "gone for 3 > 2 frames";
}

TEST(FaceTracker, AveragesTheLastNFramesOfEachFace) {
  FaceTracker tracker(3);
  const cv::Rect a{0, 0, 100, 100}, b{400, 0, 100, 100};
  const std::vector<std::vector<float>> pa = {{1, 0}, {0, 1}, {0.5f, 0.5f}, {0.2f, 0.8f}};
  std::vector<TrackedFace> out;
  for (std::size_t f = 0; f < pa.size(); ++f) out = tracker.update({a, b}, {pa[f], {0.25f, 0.75f}});
  // Face a: frames 2..4 (the first has left the window of 3).
  EXPECT_FLOAT_EQ(out[0].smoothed[0], (0.f + 0.5f + 0.2f) / 3);
  EXPECT_FLOAT_EQ(out[0].smoothed[1], (1.f + 0.5f + 0.8f) / 3);
  EXPECT_FLOAT_EQ(out[1].smoothed[1], 0.75f);  // face b's history is its own
}

TEST(FaceTracker, WindowOfOneIsTheFrameItself) {
  FaceTracker tracker(1);
  tracker.update({{0, 0, 10, 10}}, {{0.9f, 0.1f}});
  EXPECT_EQ(tracker.update({{0, 0, 10, 10}}, {{0.3f, 0.7f}})[0].smoothed,
            (std::vector<float>{0.3f, 0.7f}));
  EXPECT_THROW(FaceTracker(0), std::invalid_argument);
}

}  // namespace
}  // namespace ferlab::predict
