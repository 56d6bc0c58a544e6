// Fine-tuning from the command line: a second run starts from the first run's best checkpoint
// (model.init_from) with its first stages frozen; the head, for other classes, starts fresh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using testing::HasSubstr;

namespace {

ferlab::testing_support::CommandOutput run_ferlab(const std::string& args) {
  return ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " " + args);
}

// The same small seed-cnn on two synthetic datasets; `extra` adds fine-tuning keys.
std::string spec(const std::string& name, int dataset_seed, const std::string& extra_model,
                 const std::string& extra_train) {
  return "name: " + name + "\nseeds: [1]\n" +
         "dataset: {plugin: synthetic-faces, seed: " + std::to_string(dataset_seed) +
         ", size: 24, train_count: 70, val_count: 35, test_count: 35}\n"
         "model:\n  backbone: {plugin: seed-cnn, widths: [4, 4, 4], dense: 8}\n" +
         extra_model + "train: {epochs: 1, batch: 16, optimizer: {name: adam, lr: 0.001}" +
         extra_train + "}\nevaluate: {splits: [val]}\n";
}

TEST(FineTune, StartsFromAnotherRunsCheckpointWithStagesFrozen) {
  const ferlab::testing_support::TempDir temp_dir("finetune");
  const fs::path dir = temp_dir.path();
  const std::string db = (dir / "runs.db").string();
  std::ofstream(dir / "source.yaml") << spec("source", 3, "", "");
  auto source =
      run_ferlab("run " + (dir / "source.yaml").string() + " --db " + db + " --threads 1");
  ASSERT_EQ(source.status, 0) << source.out;
  std::string checkpoint;
  {
    Database d(db, false);
    Statement s(d, "SELECT path FROM artifacts WHERE kind = 'checkpoint' AND name = 'best'");
    ASSERT_TRUE(s.step());
    checkpoint = (dir / s.text(0)).string();
  }
  ASSERT_TRUE(fs::exists(checkpoint)) << checkpoint;
  {
    // The model's size is recorded for the report: by hand, conv 4x1x3x3+4, two conv
    // 4x4x3x3+4, dense 36x8+8 (3x3x4 after three pools of 24x24), dense 8x7+7.
    Database d(db, false);
    Statement s(d, "SELECT value FROM metrics WHERE split = 'model' AND name = 'parameters'");
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.real(0), 40 + 148 + 148 + 296 + 63);
  }

  std::ofstream(dir / "target.yaml")
      << spec("target", 5, "  init_from: " + checkpoint + "\n", ", freeze_stages: 2");
  auto target =
      run_ferlab("run " + (dir / "target.yaml").string() + " --db " + db + " --threads 1");
  ASSERT_EQ(target.status, 0) << target.out;
  EXPECT_THAT(target.out, HasSubstr("fine-tuning from " + checkpoint));
  Database d(db, false);
  Statement s(d, "SELECT message FROM events WHERE code = 'fine-tuning'");
  ASSERT_TRUE(s.step());
  // Every tensor matches: same network, same seven classes.
  EXPECT_THAT(s.text(0), HasSubstr("tensors loaded"));

  std::ofstream(dir / "missing.yaml")
      << spec("missing", 5, "  init_from: " + (dir / "nope.ferlab").string() + "\n", "");
  auto missing =
      run_ferlab("run " + (dir / "missing.yaml").string() + " --db " + db + " --threads 1");
  EXPECT_NE(missing.status, 0);
  EXPECT_THAT(missing.out, HasSubstr("nope.ferlab"));
}

}  // namespace
