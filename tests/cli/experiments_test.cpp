// The experiments library: every spec in experiments/ passes `ferlab check`, and runs end to end
// for one epoch (one seed) on small stand-in datasets generated here: a FER2013 folder with its
// official split folders and file-name prefixes, and a CK+-style class folder whose file names
// start with a subject id. finetune.yaml starts from the checkpoint fer2013-fast.yaml wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>

#include "../data/file_fixtures.hpp"
#include "../support/process.hpp"

namespace fs = std::filesystem;
using ferlab::test::random_image;
using ferlab::test::TempDir;
using ferlab::test::write_image;
using ferlab::testing_support::run_command;
using testing::HasSubstr;

namespace {

const char* const emotions[] = {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"};

// train/, validation/, test/ with `per_class` 48x48 faces per class each.
void write_fer2013_folder(const fs::path& root, int per_class) {
  const std::pair<const char*, const char*> splits[] = {
      {"train", "Training"}, {"validation", "PublicTest"}, {"test", "PrivateTest"}};
  int seed = 0;
  for (const auto& [folder, prefix] : splits)
    for (const char* emotion : emotions)
      for (int i = 0; i < per_class; ++i) {
        ++seed;
        const std::string file = std::string(prefix) + "_" + std::to_string(seed) + ".png";
        write_image(root / folder / emotion / file, random_image(seed));
      }
}

// root/<class>/S<subject>_001.png: `subjects` people showing each of four expressions, at
// 64x64 (the specs resize).
void write_subject_folder(const fs::path& root, int subjects) {
  int seed = 1000;
  for (const char* emotion : {"angry", "happy", "sad", "surprise"})
    for (int s = 1; s <= subjects; ++s) {
      char name[32];
      std::snprintf(name, sizeof name, "S%03d_001.png", s);
      write_image(root / emotion / name, random_image(++seed, 64));
    }
}

std::vector<fs::path> library() {
  std::vector<fs::path> specs;
  for (const auto& entry : fs::directory_iterator(FERLAB_SOURCE_DIR "/experiments"))
    if (entry.path().extension() == ".yaml") specs.push_back(entry.path());
  std::sort(specs.begin(), specs.end());
  return specs;
}

class ExperimentsLibrary : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir;
    write_fer2013_folder(data_->path() / "fer2013", 3);
    write_subject_folder(data_->path() / "subjects", 12);
  }
  static void TearDownTestSuite() { delete data_; }

  // The environment the specs read their data from, as a shell prefix.
  static std::string environment(const fs::path& checkpoint = "") {
    std::string env = "FERLAB_FER2013=" + (data_->path() / "fer2013").string() +
                      " FERLAB_DATA=" + (data_->path() / "subjects").string();
    if (!checkpoint.empty()) env += " FERLAB_CHECKPOINT=" + checkpoint.string();
    return env + " ";
  }

  static TempDir* data_;
};
TempDir* ExperimentsLibrary::data_ = nullptr;

TEST_F(ExperimentsLibrary, HoldsTheSpecsTheIssueAsksFor) {
  std::set<std::string> names;
  for (const fs::path& spec : library()) names.insert(spec.stem().string());
  for (const char* wanted :
       {"quickstart", "fer2013-baseline", "fer2013-fast", "fer2013-best", "compare-backbones",
        "compare-preprocessing", "folder-kfold", "finetune"})
    EXPECT_TRUE(names.count(wanted)) << wanted << ".yaml is missing";
}

TEST_F(ExperimentsLibrary, EverySpecSaysWhatItShowsAndHowLongItTakes) {
  for (const fs::path& spec : library()) {
    std::ifstream in(spec);
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("# " + spec.stem().string() + ":", 0), 0u)
        << spec << " does not open with a comment naming it";
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_THAT(text, HasSubstr("# Time:")) << spec;
  }
}

TEST_F(ExperimentsLibrary, EverySpecPassesCheck) {
  for (const fs::path& spec : library()) {
    const auto r = run_command(
        environment("/nonexistent.ferlab") + FERLAB_CLI + " check " + spec.string() + " >/dev/null",
        false);
    EXPECT_EQ(r.status, 0) << spec << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("valid")) << spec;
  }
}

// The convolution layer refuses bf16 where oneDNN has no AVX-512 kernels for it; on such a CPU
// the specs that ask for bf16 run in f32, which wires up the same plugins and keys.
std::string bf16_fallback() {
  std::ifstream cpu("/proc/cpuinfo");
  const std::string flags((std::istreambuf_iterator<char>(cpu)), {});
  if (flags.find("avx512bw") != std::string::npos) return "";
  std::cerr << "no AVX-512 here: bf16 specs run with conv_precision f32\n";
  return " --set model.backbone.conv_precision=f32";
}

// One epoch, one seed, on the stand-ins: every spec's plugins, keys and sweep wire up (every
// spec of the library runs here). The FER2013 specs see 21 training images, so this checks
// wiring, not accuracy.
TEST_F(ExperimentsLibrary, EveryDataSpecRunsOneEpochOnStandIns) {
  TempDir work;
  const std::string db = (work.path() / "runs.db").string();
  auto run = [&](const fs::path& spec, const std::string& env, const std::string& extra = "") {
    const auto r = run_command(env + FERLAB_CLI + " run " + spec.string() + " --db " + db +
                               " --threads 2 --set train.epochs=1 --set 'seeds=[1]'" + extra);
    EXPECT_EQ(r.status, 0) << spec << "\n" << r.out;
    return r.out;
  };
  const std::string dir = FERLAB_SOURCE_DIR "/experiments/";
  // fer2013-fast first: its best checkpoint is what finetune.yaml starts from.
  const std::string bf16 = bf16_fallback();
  run(dir + "fer2013-fast.yaml", environment(), bf16);
  const std::string fast =
      run_command("sqlite3 " + db +
                  " \"SELECT path FROM artifacts WHERE kind = 'checkpoint' "
                  "AND name = 'best' AND run_id = (SELECT max(id) FROM runs)\"")
          .out;
  ASSERT_FALSE(fast.empty());
  const fs::path checkpoint = work.path() / fast.substr(0, fast.find('\n'));
  ASSERT_TRUE(fs::exists(checkpoint)) << checkpoint;
  // Two of its ten subject-independent folds, as for folder-kfold below.
  EXPECT_THAT(run(dir + "finetune.yaml", environment(checkpoint),
                  " --set 'sweep={dataset.fold: [1/10, 2/10]}'"),
              HasSubstr("fine-tuning from"));
  run(dir + "fer2013-best.yaml", environment(), bf16);
  // The shipped fer2013-fast seeds teach on the FER2013 stand-in (same classes, 48x48 grey).
  EXPECT_THAT(run(dir + "fer2013-distill.yaml", environment(), bf16),
              HasSubstr("distilling from fer2013-fast + fer2013-fast-s2"));
  // The halving search with 3 trials over 2 epochs: 3 trials train 1 epoch, the best one 2.
  EXPECT_THAT(run(dir + "fer2013-search.yaml", environment(),
                  bf16 + " --set train.epochs=2 --set search.trials=3"),
              HasSubstr("search: rung 2/2: 1 trial to 2 epochs"));
  for (const char* name : {"fer2013-baseline", "compare-backbones", "compare-preprocessing"})
    run(dir + name + ".yaml", environment());
  // Two of the ten folds keep the suite short; the sweep over folds is what is checked.
  run(dir + "folder-kfold.yaml", environment(), " --set 'sweep={dataset.fold: [1/10, 2/10]}'");
  // The synthetic specs, on fewer generated faces.
  const std::string few =
      " --set dataset.train_count=140 --set dataset.val_count=70 --set dataset.test_count=70";
  for (const char* name : {"quickstart", "synthetic-sweep", "report-sweep"})
    run(dir + name + ".yaml", environment(), few);
  // Every run finished, and each spec ran the runs its sweep asks for (two folds as set, five
  // backbones, five preprocessing chains) at one seed.
  auto count = [&](const std::string& where) {
    const auto r = run_command("sqlite3 " + db +
                               " \"SELECT count(*) FROM runs r JOIN experiments e ON e.id = "
                               "r.experiment_id WHERE " +
                               where + "\"");
    return std::stoi(r.out);
  };
  EXPECT_EQ(count("r.status != 'finished' AND r.error NOT LIKE 'search: not promoted%'"), 0);
  EXPECT_EQ(count("e.name = 'fer2013-search' AND r.status = 'finished'"), 1);
  EXPECT_EQ(count("e.name = 'folder-kfold'"), 2);
  EXPECT_EQ(count("e.name = 'finetune'"), 2);
  EXPECT_EQ(count("e.name = 'compare-backbones'"), 5);
  EXPECT_EQ(count("e.name = 'compare-preprocessing'"), 5);
  EXPECT_EQ(count("e.name = 'synthetic-sweep'"), 4);  // 2 chains x 2 backbones
  EXPECT_EQ(count("e.name = 'report-sweep'"), 3);
  EXPECT_EQ(count("1"), 1 + 2 + 1 + 1 + 3 + 1 + 5 + 5 + 2 + 1 + 4 + 3);
  // A spec added to the library without a line above fails here.
  for (const fs::path& spec : library())
    EXPECT_GT(count("e.name = '" + spec.stem().string() + "'"), 0) << spec << " was not run";
}

}  // namespace
