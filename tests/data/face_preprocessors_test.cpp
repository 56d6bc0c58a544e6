// face-crop and align, on faces drawn by the synthetic-faces plugin (Haar cascades find them
// as they find photographed faces) and on images without a face.
#include <opencv2/imgproc.hpp>

#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

cv::Mat rotated(const cv::Mat& image, double degrees) {
  cv::Point2f c((image.cols - 1) / 2.0f, (image.rows - 1) / 2.0f);
  cv::Mat out;
  cv::warpAffine(image, out, cv::getRotationMatrix2D(c, degrees, 1.0), image.size(),
                 cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

double central_difference(const cv::Mat& a, const cv::Mat& b) {
  cv::Rect centre(a.cols / 4, a.rows / 4, a.cols / 2, a.rows / 2);
  return cv::norm(a(centre), b(centre), cv::NORM_L1) / centre.area();
}

TEST(FaceCrop, CropsAroundAFacePlacedOffCentre) {
  auto crop = make<Preprocessor>("face-crop");
  int found = 0;
  for (const Sample& face : clean_synthetic_faces(160, 7)) {
    cv::Mat scene(300, 400, CV_8UC1, cv::Scalar(0));
    face.image.copyTo(scene(cv::Rect(220, 120, 160, 160)));
    RecordingEvents events;
    cv::Mat out = crop->apply(scene, events);
    if (events.counts.count("no-face")) continue;
    ++found;
    EXPECT_NEAR(out.cols, out.rows, 1);
    EXPECT_GT(out.cols, 60);
    EXPECT_LT(out.cols, 240);
    // The crop is a piece of the scene (no scaling): find where, and check it is on the face.
    cv::Mat score;
    cv::matchTemplate(scene, out, score, cv::TM_SQDIFF);
    double best;
    cv::Point at;
    cv::minMaxLoc(score, &best, nullptr, &at);
    EXPECT_LT(best / out.total(), 0.5);  // exact match, up to matchTemplate's rounding
    cv::Point2d centre(at.x + out.cols / 2.0, at.y + out.rows / 2.0);
    EXPECT_NEAR(centre.x, 300, 30);  // the face's centre
    EXPECT_NEAR(centre.y, 200, 30);
  }
  EXPECT_GE(found, 5) << "of 7 clear faces";
}

TEST(FaceCrop, NoFaceKeepsACentreCropAndCountsIt) {
  cv::Mat flat(80, 100, CV_8UC3, cv::Scalar(90, 100, 110));
  flat(cv::Rect(50, 40, 1, 1)).setTo(cv::Scalar(0, 0, 0));  // marks the centre
  RecordingEvents events;
  cv::Mat out = make<Preprocessor>("face-crop", {{"fallback", 0.8}})->apply(flat, events);
  EXPECT_EQ(out.size(), cv::Size(64, 64));
  EXPECT_TRUE(same_pixels(out, flat(cv::Rect(18, 8, 64, 64))));
  EXPECT_EQ(events.counts["no-face"], 1);
}

TEST(FaceCrop, UnknownCascadeIsAnError) {
  EXPECT_THROW(make<Preprocessor>("face-crop", {{"cascade", "no-such-cascade.xml"}}),
               std::invalid_argument);
}

TEST(Align, LevelsTheEyesOfARolledFace) {
  auto align = make<Preprocessor>("align");
  int aligned = 0, attempts = 0;
  for (const Sample& face : clean_synthetic_faces(160, 7)) {
    for (double roll : {-12.0, 12.0}) {
      ++attempts;
      cv::Mat tilted = rotated(face.image, roll);
      RecordingEvents events;
      cv::Mat out = align->apply(tilted, events);
      ASSERT_EQ(out.size(), tilted.size());
      if (!events.counts.empty()) {  // eyes not found: must be returned unchanged
        EXPECT_TRUE(same_pixels(out, tilted));
        continue;
      }
      // Aligned faces are close to the upright original again.
      double before = central_difference(tilted, face.image);
      double after = central_difference(out, face.image);
      EXPECT_LT(after, 0.5 * before) << "roll " << roll;
      ++aligned;
    }
  }
  EXPECT_GE(aligned, attempts / 2) << "of " << attempts << " rolled faces";
}

TEST(Align, NoEyesLeavesTheImageAndCountsIt) {
  cv::Mat flat(64, 64, CV_8UC1, cv::Scalar(120));
  RecordingEvents events;
  cv::Mat out = make<Preprocessor>("align")->apply(flat, events);
  EXPECT_TRUE(same_pixels(out, flat));
  EXPECT_EQ(events.counts["no-eyes"], 1);
}

}  // namespace
}  // namespace ferlab::test
