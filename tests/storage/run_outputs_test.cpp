// Predictions and artifacts: written by the run store, read back with plain SQL and with the
// queries, byte for byte.
#include "storage/run_outputs.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../support/temp_dir.hpp"
#include "storage/probability_blob.hpp"

namespace fs = std::filesystem;
using namespace ferlab::storage;

namespace {

class RunOutputsTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<RunStore>((dir_ / "runs.db").string());
    RunInfo info;
    info.experiment = "exp";
    run_ = store_->begin_run(info, {"a", "b"});
  }
  void TearDown() override { store_.reset(); }

  ferlab::testing_support::TempDir temp_{"outputs"};
  const fs::path dir_ = temp_.path();
  std::unique_ptr<RunStore> store_;
  std::int64_t run_ = 0;
};

}  // namespace

TEST(ProbabilityBlob, IsFloat32LittleEndianOnePerClass) {
  // 0.5f = 0x3F000000, 1.0f = 0x3F800000, -2.0f = 0xC0000000 (IEEE 754 single precision).
  EXPECT_EQ(encode_probabilities({0.5f, 1.0f, -2.0f}),
            std::string("\x00\x00\x00\x3f\x00\x00\x80\x3f\x00\x00\x00\xc0", 12));
  EXPECT_EQ(decode_probabilities(std::string("\x00\x00\x80\x3f\x00\x00\x00\x3f", 8)),
            (std::vector<float>{1.0f, 0.5f}));
  EXPECT_TRUE(decode_probabilities("").empty());
  EXPECT_THROW(decode_probabilities("abc"), StorageError);
}

TEST_F(RunOutputsTest, PredictionsAreStoredPerSplitTtaAndCheckpoint) {
  store_->record_predictions(
      run_,
      {"test", "none", "best", {{"img/2.png", 1, 0, {0.75f, 0.25f}}, {"img/1.png", 0, 0, {1, 0}}}});
  store_->record_predictions(run_, {"test", "none", "last", {{"img/1.png", 0, 1, {0.25f, 0.75f}}}});
  {
    Statement s(store_->database(),
                "SELECT count(*), sum(length(probabilities)) FROM predictions WHERE run_id = ?");
    s.bind(1, run_);
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.integer(0), 3);
    EXPECT_EQ(s.integer(1), 3 * 2 * 4);
  }
  std::vector<PredictionSet> sets = run_predictions(store_->database(), run_);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].checkpoint, "best");
  ASSERT_EQ(sets[0].rows.size(), 2u);
  EXPECT_EQ(sets[0].rows[0].sample, "img/1.png");  // sample order
  EXPECT_EQ(sets[0].rows[1].sample, "img/2.png");
  EXPECT_EQ(sets[0].rows[1].true_class, 1);
  EXPECT_EQ(sets[0].rows[1].predicted_class, 0);
  EXPECT_EQ(sets[0].rows[1].probabilities, (std::vector<float>{0.75f, 0.25f}));
  EXPECT_EQ(sets[1].checkpoint, "last");
  EXPECT_EQ(sets[1].rows[0].predicted_class, 1);
}

TEST_F(RunOutputsTest, AnArtifactOfTheSameKindAndNameIsReplacedNotDuplicated) {
  Artifact last{"checkpoint",
                "last",
                "/x/run-1-last.ferlab",
                "ab12",
                "val.accuracy",
                std::nullopt,
                std::nullopt,
                100,
                1,
                std::nullopt};
  store_->record_artifact(run_, last);
  last.epoch = 2;
  last.bytes = 120;
  store_->record_artifact(run_, last);
  store_->record_artifact(
      run_, {"preview", "grid", std::nullopt, std::nullopt, std::nullopt, "image/png", "a grid",
             std::nullopt, std::nullopt, std::string("\x89PNG\0\x01", 6)});
  std::vector<Artifact> listed = run_artifacts(store_->database(), run_);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].epoch, 2);
  EXPECT_EQ(listed[0].bytes, 120);
  EXPECT_EQ(listed[0].path, "/x/run-1-last.ferlab");
  EXPECT_FALSE(listed[1].data) << "a listing leaves the blobs out";
  std::vector<Artifact> full = run_artifacts(store_->database(), run_, true);
  EXPECT_EQ(full[1].data, std::string("\x89PNG\0\x01", 6));
  EXPECT_EQ(full[1].caption, "a grid");
  EXPECT_FALSE(full[0].data);
}

TEST_F(RunOutputsTest, DeletingARunDeletesItsPredictionsAndArtifacts) {
  store_->record_predictions(run_, {"val", "none", "best", {{"s", 0, 0, {1, 0}}}});
  store_->record_artifact(run_, {"checkpoint", "best", "p", std::nullopt, std::nullopt,
                                 std::nullopt, std::nullopt, std::nullopt, 1, std::nullopt});
  Database& d = store_->database();
  d.exec("DELETE FROM runs WHERE id = " + std::to_string(run_));
  Statement s(d, "SELECT (SELECT count(*) FROM predictions) + (SELECT count(*) FROM artifacts)");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.integer(0), 0);
}
