// Models as users get them: `ferlab evaluate` (one model or an ensemble) recorded as a run, a
// compact export found by name and predicting whole images, the manifest's figures; and, when
// the shared FER2013 copy is reachable, every shipped model reproducing its manifest.
#include "models/shipped_models.hpp"

#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <sstream>

#include "../predict/predict_scenes.hpp"
#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "evaluation/manifest.hpp"
#include "storage/run_outputs.hpp"
#include "storage/sha256.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

namespace ferlab::test {
namespace {

using testing_support::run_command;
using testing_support::run_ferlab;

// (split, tta) -> prediction rows.
using RowsByKey = std::map<std::pair<std::string, std::string>, std::vector<storage::Prediction>>;

// The prediction rows of a run's "best" checkpoint.
RowsByKey predictions_of(const std::string& db, std::int64_t run) {
  storage::Database database(db, false);
  RowsByKey out;
  for (storage::PredictionSet& set : storage::run_predictions(database, run))
    if (set.checkpoint == "best") out[{set.split, set.tta}] = std::move(set.rows);
  return out;
}

// The share of rows whose predicted class is the true one, counted from the rows.
double accuracy_of(const std::vector<storage::Prediction>& rows) {
  double correct = 0;
  for (const storage::Prediction& p : rows) correct += p.true_class == p.predicted_class;
  return correct / static_cast<double>(rows.size());
}

class ShippedModels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_.emplace("models");
    dir_ = temp_->path();
    fs::create_directories(dir_ / "models");
    std::string spec = one_epoch_spec("tiny", "  - {plugin: grayscale}\n  - {plugin: hist-eq}\n");
    spec.replace(spec.find("seeds: [1]"), 10, "seeds: [1, 2]");
    std::ofstream(dir_ / "spec.yaml") << spec;
    db_ = (dir_ / "runs.db").string();
    auto r = run_ferlab("run " + (dir_ / "spec.yaml").string() + " --db " + db_ + " --threads 1");
    ASSERT_EQ(r.status, 0) << r.err;
    r = run_ferlab("export --model 1 --db " + db_ + " --onnx " + (dir_ / "model.onnx").string());
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static void TearDownTestSuite() { temp_.reset(); }
  // `ferlab ARGS` with the test's own model directory in front of the search path.
  static testing_support::CommandOutput with_models(const std::string& args) {
    return run_command(
        "FERLAB_MODEL_PATH=" + (dir_ / "models").string() + " " FERLAB_CLI " " + args, false);
  }
  static std::string compact_model() {
    const fs::path file = dir_ / "models" / "tiny.ferlab";
    if (!fs::exists(file)) {
      auto r = run_ferlab("export --model 1 --db " + db_ + " --compact " + file.string() +
                          " --trained-with 'ferlab run spec.yaml'");
      EXPECT_EQ(r.status, 0) << r.err;
    }
    return file.string();
  }

  static inline std::optional<ferlab::testing_support::TempDir> temp_;
  static inline fs::path dir_;
  static inline std::string db_;
};

TEST_F(ShippedModels, EnsembleProbabilitiesAreTheMeanOfItsMembers) {
  const std::string eval_db = (dir_ / "ensemble.db").string();
  const std::string common = " --db " + db_ + " --tta none --tta hflip --threads 1";
  for (const char* models : {"--model 1", "--model 2", "--model 1 --model 2"}) {
    auto r = run_ferlab(std::string("evaluate ") + models + common + " --experiment ens");
    ASSERT_EQ(r.status, 0) << r.err;
  }
  // Runs 1 and 2 trained; 3 and 4 evaluate them alone, 5 both.
  const auto a = predictions_of(db_, 3), b = predictions_of(db_, 4), both = predictions_of(db_, 5);
  ASSERT_EQ(both.size(), 4u);  // val and test, each with none and hflip
  for (const auto& [key, rows] : both) {
    ASSERT_EQ(rows.size(), a.at(key).size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& pa = a.at(key)[i].probabilities;
      const auto& pb = b.at(key)[i].probabilities;
      ASSERT_EQ(rows[i].sample, a.at(key)[i].sample);
      for (std::size_t c = 0; c < pa.size(); ++c)
        ASSERT_NEAR(rows[i].probabilities[c], (pa[c] + pb[c]) / 2, 1e-6)
            << key.first << " " << key.second << " sample " << i;
      const auto top = std::max_element(rows[i].probabilities.begin(), rows[i].probabilities.end());
      EXPECT_EQ(rows[i].predicted_class, top - rows[i].probabilities.begin());
    }
  }
  // Evaluating run 1 on its own reproduces what its training run recorded on val.
  const auto trained = predictions_of(db_, 1).at({"val", "none"});
  const auto evaluated = a.at({"val", "none"});
  ASSERT_EQ(trained.size(), evaluated.size());
  for (std::size_t i = 0; i < trained.size(); ++i)
    for (std::size_t c = 0; c < trained[i].probabilities.size(); ++c)
      ASSERT_NEAR(evaluated[i].probabilities[c], trained[i].probabilities[c], 1e-5);
  auto runs = run_ferlab("runs --db " + db_ + " --experiment ens");
  EXPECT_THAT(runs.out, HasSubstr("ensemble(run 1 + run 2)"));
}

TEST_F(ShippedModels, EnsembleExportsAsOneOnnxGraphOfTheMeanProbabilities) {
  const fs::path both = dir_ / "ensemble.onnx", second = dir_ / "model-2.onnx";
  auto r = run_ferlab("export --model 1 --model 2 --db " + db_ + " --onnx " + both.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ensemble(run 1 + run 2)"));
  r = run_ferlab("export --model 2 --db " + db_ + " --onnx " + second.string());
  ASSERT_EQ(r.status, 0) << r.err;
  cv::Mat face = detectable_faces(1).at(0), equalised;
  cv::resize(face, face, cv::Size(48, 48), 0, 0, cv::INTER_AREA);
  cv::equalizeHist(face, equalised);
  const auto p1 = onnx_probabilities(dir_ / "model.onnx", equalised);
  const auto p2 = onnx_probabilities(second, equalised);
  const auto mean = onnx_probabilities(both, equalised);
  ASSERT_EQ(mean.size(), p1.size());
  for (std::size_t c = 0; c < mean.size(); ++c) EXPECT_NEAR(mean[c], (p1[c] + p2[c]) / 2, 1e-5);
  // --compact writes one model, not an ensemble.
  r = run_ferlab("export --model 1 --model 2 --db " + db_ + " --compact " +
                 (dir_ / "x.ferlab").string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("--compact writes one model"));
}

// A one-epoch student of runs 1 and 2 (checkpoint files: the student has a database of its
// own, NAME.db) with `distill` added to train.distill: {teacher: ..., temperature: 3, ...}.
testing_support::CommandOutput train_student(const fs::path& dir, const std::string& name,
                                             const std::string& preprocess,
                                             const std::string& distill = "weight: 0.7") {
  const std::string teachers = "[" + (dir / "checkpoints" / "runs-run-1-best.ferlab").string() +
                               ", " + (dir / "checkpoints" / "runs-run-2-best.ferlab").string() +
                               "]";
  std::string spec = one_epoch_spec(name, preprocess);
  const std::string train = "train: {epochs: 1, batch: 16, optimizer: {name: adam, lr: 0.002}";
  spec.replace(spec.find(train), train.size(),
               train + ", distill: {teacher: " + teachers + ", temperature: 3, " + distill + "}");
  const fs::path file = dir / (name + ".yaml");
  std::ofstream(file) << spec;
  return run_ferlab("run " + file.string() + " --db " + (dir / (name + ".db")).string() +
                    " --threads 1");
}

// A teacher whose preprocessing differs from the student's is refused.
TEST_F(ShippedModels, DistilledRunLearnsFromItsTeachersAndRefusesAMismatchedOne) {
  auto r = train_student(dir_, "student", "  - {plugin: grayscale}\n  - {plugin: hist-eq}\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("distilling from"));
  EXPECT_THAT(r.err, HasSubstr("(temperature 3, weight 0.7)"));
  r = train_student(dir_, "mismatch", "  - {plugin: grayscale}\n");
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("was trained with preprocessing [grayscale, hist-eq] and the "
                               "student uses [grayscale]"));
}

// sees: original: the teachers' targets, computed once per training image through their own
// preprocessing, train the student as teachers reading its (here unaugmented) batches do; and
// a student may then prepare its input differently from its teachers.
TEST_F(ShippedModels, TeachersThatSeeTheOriginalImagesTeachAsOnTheBatches) {
  const std::string same = "  - {plugin: grayscale}\n  - {plugin: hist-eq}\n";
  auto r = train_student(dir_, "on-batches", same);
  ASSERT_EQ(r.status, 0) << r.err;
  r = train_student(dir_, "on-originals", same, "weight: 0.7, sees: original");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("(temperature 3, weight 0.7, teachers saw the original images, "
                               "TTA none)"));
  const auto batches = predictions_of((dir_ / "on-batches.db").string(), 1).at({"val", "none"});
  const auto originals = predictions_of((dir_ / "on-originals.db").string(), 1).at({"val", "none"});
  ASSERT_EQ(batches.size(), originals.size());
  for (std::size_t i = 0; i < batches.size(); ++i)
    for (std::size_t c = 0; c < batches[i].probabilities.size(); ++c)
      ASSERT_NEAR(originals[i].probabilities[c], batches[i].probabilities[c], 1e-6) << i;
  // The control: other teacher targets (their mirror images too) train another student.
  r = train_student(dir_, "hflip", same, "weight: 0.7, sees: original, tta: hflip");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto mirrored = predictions_of((dir_ / "hflip.db").string(), 1).at({"val", "none"});
  double largest = 0;
  for (std::size_t i = 0; i < batches.size(); ++i)
    for (std::size_t c = 0; c < batches[i].probabilities.size(); ++c)
      largest = std::max<double>(
          largest, std::abs(mirrored[i].probabilities[c] - batches[i].probabilities[c]));
  EXPECT_GT(largest, 1e-3);
  r = train_student(dir_, "own-input", "  - {plugin: grayscale}\n", "sees: original");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("teachers saw the original images"));
}

TEST_F(ShippedModels, CompactModelIsFoundByNameAndPredictsWholeImages) {
  const std::string file = compact_model();
  EXPECT_LT(fs::file_size(file), fs::file_size(dir_ / "checkpoints" / "runs-run-1-best.ferlab"));
  auto listed = with_models("models");
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("tiny"));
  EXPECT_THAT(listed.out, HasSubstr(file));
  // --latency times the network: its row gains a positive ms/face after name, MiB, params, MMACs.
  auto timed = with_models("models --latency");
  ASSERT_EQ(timed.status, 0) << timed.err;
  EXPECT_THAT(timed.out, HasSubstr("ms/face"));
  std::istringstream rows(timed.out);
  for (std::string row; std::getline(rows, row);)
    if (row.rfind("tiny ", 0) == 0) {
      std::istringstream cells(row);
      std::string name, mib, params, macs;
      double ms = 0;
      cells >> name >> mib >> params >> macs >> ms;
      EXPECT_GT(ms, 0) << row;
      EXPECT_LT(ms, 1000) << row;
    }

  const std::vector<cv::Mat> faces = detectable_faces(2);
  ASSERT_EQ(faces.size(), 2u);
  cv::Mat small;
  cv::resize(faces[0], small, cv::Size(48, 48), 0, 0, cv::INTER_AREA);
  const fs::path image = dir_ / "face.png";
  cv::imwrite(image.string(), small);
  auto r = with_models("predict --model tiny --whole-image --threads 1 " + image.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("mode"), "whole-image");
  EXPECT_EQ(line_box(lines[0]), cv::Rect(0, 0, 48, 48));
  // The reference: the full-precision model in ONNX under OpenCV DNN, the chain done by hand;
  // the compact file's f16 weights move probabilities by far less than this.
  cv::Mat equalised;
  cv::equalizeHist(small, equalised);
  const std::vector<float> expected = onnx_probabilities(dir_ / "model.onnx", equalised);
  const std::vector<float> got = line_probabilities(lines[0]);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t c = 0; c < got.size(); ++c) EXPECT_NEAR(got[c], expected[c], 5e-3) << c;

  // The default mode finds the face in a larger frame and says so.
  const fs::path scene = dir_ / "scene.png";
  cv::imwrite(scene.string(), scene_with({faces[1]}, {{200, 150}}));
  r = with_models("predict --model tiny --threads 1 " + scene.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json_lines(r.out).at(0).at("mode"), "detect");

  r = with_models("predict --model no-such-model " + image.string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("no-such-model: no such checkpoint file, run id or shipped model"));
  EXPECT_THAT(r.err, HasSubstr("tiny"));
}

TEST_F(ShippedModels, ManifestRecordsWhatEvaluateMeasuredOnTheFile) {
  const std::string file = compact_model();
  const fs::path manifest = dir_ / "models" / "tiny.manifest";
  const std::string eval_db = (dir_ / "manifest.db").string();
  auto r = with_models("evaluate --model tiny --db " + eval_db + " --threads 1 --manifest " +
                       manifest.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const evaluation::ManifestSummary summary = evaluation::read_manifest(manifest);
  EXPECT_EQ(summary.bytes, static_cast<std::int64_t>(fs::file_size(file)));
  // Each accuracy, counted again from the prediction rows the evaluation recorded.
  const auto recorded = predictions_of(eval_db, 1);
  ASSERT_EQ(recorded.size(), 6u);  // val and test, three TTA modes
  for (const auto& [key, rows] : recorded) {
    EXPECT_NEAR(summary.accuracy.at(key.first).at(key.second), accuracy_of(rows), 0.5e-4)
        << key.first << " " << key.second;
  }
  std::ifstream in(manifest);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_THAT(text, HasSubstr("trained_with: ferlab run spec.yaml"));
  EXPECT_THAT(text, HasSubstr("sha256: " + storage::sha256_file(file)));
  EXPECT_THAT(text, HasSubstr("{plugin: hist-eq"));
}

// A shipped ensemble (<name>.ensemble naming shipped models) is listed, evaluated, given a
// manifest and exported under its name; where one model is needed its name is refused.
TEST_F(ShippedModels, ShippedEnsembleWorksUnderItsName) {
  const std::string first = compact_model();
  const fs::path second = dir_ / "models" / "tiny-2.ferlab";
  auto r = run_ferlab("export --model 2 --db " + db_ + " --compact " + second.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const fs::path ensemble = dir_ / "models" / "tiny-pair.ensemble";
  std::ofstream(ensemble) << "# the two tiny seeds\nmembers: [tiny, tiny-2]\n";

  r = with_models("models");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("tiny-pair (tiny + tiny-2)"));
  const fs::path manifest = dir_ / "models" / "tiny-pair.manifest";
  const std::string eval_db = (dir_ / "pair.db").string();
  r = with_models("evaluate --model tiny-pair --db " + eval_db + " --threads 1 --manifest " +
                  manifest.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("tiny-pair evaluated"));
  const evaluation::ManifestSummary summary = evaluation::read_manifest(manifest);
  EXPECT_EQ(summary.bytes, static_cast<std::int64_t>(fs::file_size(first) + fs::file_size(second)));
  const auto recorded = predictions_of(eval_db, 1);
  ASSERT_EQ(recorded.size(), 6u);
  for (const auto& [key, rows] : recorded)
    EXPECT_NEAR(summary.accuracy.at(key.first).at(key.second), accuracy_of(rows), 0.5e-4);
  std::ifstream in(manifest);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_THAT(text, HasSubstr("ensemble_of: [tiny, tiny-2]"));

  r = with_models("export --model tiny-pair --onnx " + (dir_ / "pair.onnx").string());
  EXPECT_EQ(r.status, 0) << r.err;
  r = with_models("export --model tiny-pair --compact " + (dir_ / "pair.ferlab").string());
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("tiny-pair is a shipped ensemble (tiny + tiny-2), not one model"));

  // A broken ensemble file is named, not skipped silently.
  const fs::path broken = dir_ / "models" / "broken.ensemble";
  std::ofstream(broken) << "members: tiny\n";
  r = with_models("models");
  fs::remove(broken);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr(broken.string() + ": 'members' is not a list of two or more names"));
  for (const fs::path& f : {ensemble, manifest, second}) fs::remove(f);
}

// A one-epoch spec whose backbone computes its convolutions in bf16.
fs::path write_bf16_spec(const fs::path& dir) {
  std::string spec = one_epoch_spec("bf16", "  - {plugin: grayscale}\n");
  const std::string layers =
      spec.substr(spec.find("  layers:"), spec.find("train:") - spec.find("  layers:"));
  spec.replace(spec.find(layers), layers.size(),
               "  backbone: {plugin: seed-cnn, widths: [4, 8], dense: 16, conv_precision: bf16}\n");
  const fs::path file = dir / "bf16.yaml";
  std::ofstream(file) << spec;
  return file;
}

// A model trained with bf16 convolutions predicts on a CPU without AVX-512 (simulated by
// ONEDNN_MAX_CPU_ISA=AVX2) with f32 ones, saying so, and nearly what it predicts with bf16.
TEST_F(ShippedModels, ABf16ModelPredictsWithF32ConvolutionsWhereTheCpuLacksBf16) {
  const fs::path file = write_bf16_spec(dir_);
  const std::string db = (dir_ / "bf16.db").string();
  auto r = run_ferlab("run " + file.string() + " --db " + db + " --threads 1");
  if (r.status != 0 && r.err.find("needs a CPU with AVX-512") != std::string::npos)
    GTEST_SKIP() << "no bf16 convolutions on this CPU to train with";
  ASSERT_EQ(r.status, 0) << r.err;
  cv::Mat face = detectable_faces(1).at(0);
  cv::resize(face, face, cv::Size(48, 48), 0, 0, cv::INTER_AREA);
  const fs::path image = dir_ / "bf16-face.png";
  cv::imwrite(image.string(), face);
  const std::string predict =
      FERLAB_CLI " predict --model 1 --db " + db + " --whole-image --threads 1 " + image.string();
  const auto native = run_command(predict, false);
  ASSERT_EQ(native.status, 0) << native.err;
  const auto fallback = run_command("ONEDNN_MAX_CPU_ISA=AVX2 " + predict, false);
  ASSERT_EQ(fallback.status, 0) << fallback.err;
  EXPECT_THAT(fallback.err, HasSubstr("was trained with bf16 convolutions, which this CPU lacks"));
  EXPECT_THAT(native.err, testing::Not(HasSubstr("which this CPU lacks")));
  const auto a = line_probabilities(json_lines(native.out).at(0));
  const auto b = line_probabilities(json_lines(fallback.out).at(0));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t c = 0; c < a.size(); ++c) EXPECT_NEAR(a[c], b[c], 2e-2) << c;
}

// Training with bf16 convolutions on a CPU without them (simulated as above) stops before any
// epoch, in `check --build` too, naming the spec key and the way out, which then trains.
TEST_F(ShippedModels, ABf16SpecWhereTheCpuLacksBf16NamesTheKeyToChange) {
  const fs::path file = write_bf16_spec(dir_);
  const std::string db = (dir_ / "bf16-refused.db").string();
  const std::string avx2 = "ONEDNN_MAX_CPU_ISA=AVX2 ";
  for (const std::string& command : {"run " + file.string() + " --db " + db + " --threads 1",
                                     "check --build " + file.string()}) {
    const auto r = run_command(avx2 + FERLAB_CLI + " " + command, false);
    EXPECT_NE(r.status, 0) << command;
    EXPECT_THAT(r.out + r.err, HasSubstr("model.backbone.conv_precision: bf16 convolutions need "
                                         "a CPU with AVX-512, and this one has none"))
        << command;
    EXPECT_THAT(r.out + r.err, HasSubstr("--set model.backbone.conv_precision=f32")) << command;
  }
  const auto f32 = run_command(avx2 + FERLAB_CLI + " run " + file.string() + " --db " + db +
                                   " --threads 1 --set model.backbone.conv_precision=f32",
                               false);
  EXPECT_EQ(f32.status, 0) << f32.err;
}

// Ten-crop is ten passes of the network per image, 10 of the 13 passes of `evaluate`'s three
// TTA modes: on a CPU without AVX-512 every manifest's ten-crop figures take ~30 of CI's 60
// minutes. So by default only the model `predict` examples use has its ten-crop figures
// checked, and every model (and the ensemble) its no-TTA and hflip ones;
// FERLAB_MANIFEST_TEN_CROP=all checks every figure of every manifest.
bool ten_crop_checked(const std::string& model) {
  const char* all = std::getenv("FERLAB_MANIFEST_TEN_CROP");
  return model == "fer2013-fast" || (all && std::string(all) == "all");
}

// The mean of the members' probabilities, for each (split, TTA) that every member has.
RowsByKey ensemble_of(const std::vector<const RowsByKey*>& members) {
  RowsByKey mean;
  for (const auto& [key, first] : *members.front()) {
    if (!std::all_of(members.begin(), members.end(), [&](auto* m) { return m->count(key); }))
      continue;
    std::vector<storage::Prediction> out = first;
    for (storage::Prediction& p : out)
      std::fill(p.probabilities.begin(), p.probabilities.end(), 0.f);
    for (const auto* member : members) {
      const std::vector<storage::Prediction>& rows = member->at(key);
      EXPECT_EQ(out.size(), rows.size());
      for (std::size_t i = 0; i < std::min(out.size(), rows.size()); ++i) {
        EXPECT_EQ(out[i].sample, rows[i].sample);
        for (std::size_t c = 0; c < rows[i].probabilities.size(); ++c)
          out[i].probabilities[c] += rows[i].probabilities[c] / members.size();
      }
    }
    for (storage::Prediction& p : out)
      p.predicted_class =
          static_cast<int>(std::max_element(p.probabilities.begin(), p.probabilities.end()) -
                           p.probabilities.begin());
    mean[key] = std::move(out);
  }
  return mean;
}

// Every model in models/ against the real FER2013, as its manifest says it was measured (see
// ten_crop_checked above). An accuracy check, not a memory one: the sanitizer build leaves it
// to the Release suite (it would take minutes there).
TEST(ShippedFer2013Models, ReproduceTheirManifests) {
#ifdef FERLAB_SANITIZED_BUILD
  GTEST_SKIP() << "runs in the Release suite";
#endif
  const fs::path archive = FERLAB_SOURCE_DIR "/../shared/datasets/fer2013.tar.gz";
  if (!fs::exists(archive)) GTEST_SKIP() << archive << " is not reachable";
  std::vector<fs::path> manifests;
  for (const auto& entry : fs::directory_iterator(FERLAB_SOURCE_DIR "/models"))
    if (entry.path().extension() == ".manifest") manifests.push_back(entry.path());
  if (manifests.empty()) GTEST_SKIP() << "no shipped model";
  const ferlab::testing_support::TempDir temp_dir("fer2013");
  const fs::path dir = temp_dir.path();
  ASSERT_EQ(run_command("tar -xzf " + archive.string() + " -C " + dir.string()).status, 0);
  // Single models are evaluated; an ensemble's figures are counted from the mean of its
  // members' recorded probabilities (evaluating it would run every member again), so singles
  // go first. `evaluate` of an ensemble itself is tested on the tiny fixture above.
  std::map<std::string, RowsByKey> by_model;
  std::stable_partition(manifests.begin(), manifests.end(), [](const fs::path& m) {
    auto shipped = models::find_shipped_model(m.stem().string());
    return !shipped || !shipped->is_ensemble();
  });
  int ten_crop_figures = 0;
  for (const fs::path& manifest : manifests) {
    const std::string name = manifest.stem().string();
    const auto shipped = models::find_shipped_model(name);
    ASSERT_TRUE(shipped) << manifest << " has no model or ensemble file beside it";
    if (shipped->is_ensemble()) {
      std::vector<const RowsByKey*> members;
      for (const std::string& member : shipped->members) members.push_back(&by_model.at(member));
      by_model[name] = ensemble_of(members);
    } else {
      const std::string db = (dir / (name + ".db")).string();
      auto r = run_ferlab("evaluate --model " + name + " --data " + (dir / "fer2013").string() +
                          " --db " + db + " --tta none --tta hflip" +
                          (ten_crop_checked(name) ? " --tta ten-crop" : ""));
      ASSERT_EQ(r.status, 0) << r.err;
      by_model[name] = predictions_of(db, 1);
    }
    const evaluation::ManifestSummary summary = evaluation::read_manifest(manifest);
    ASSERT_FALSE(summary.accuracy.empty()) << manifest;
    const auto& recorded = by_model.at(name);
    for (const auto& [split, by_tta] : summary.accuracy)
      for (const auto& [tta, accuracy] : by_tta) {
        const auto rows = recorded.find({split, tta});
        if (rows == recorded.end()) {
          // Only ten-crop may be left out, and only as ten_crop_checked says.
          EXPECT_EQ(tta, "ten-crop") << name << " " << split;
          continue;
        }
        ten_crop_figures += tta == "ten-crop";
        // Another CPU may round a few borderline images the other way: 0.2% is 7 of 3,589.
        EXPECT_NEAR(accuracy_of(rows->second), accuracy, 0.002)
            << name << " " << split << " " << tta;
      }
  }
  EXPECT_GE(ten_crop_figures, 2) << "no ten-crop figure checked (is fer2013-fast shipped?)";
}

}  // namespace
}  // namespace ferlab::test
