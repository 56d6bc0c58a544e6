// The evaluation protocol end to end: the test split never takes part in model selection, and
// k-fold runs record their fold and aggregate over folds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ios>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "../support/files.hpp"
#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using testing::HasSubstr;

namespace {

using Output = ferlab::testing_support::CommandOutput;

class EvaluationProtocol : public testing::Test {
 protected:
  // Class 0 dark, class 1 bright, with noise that makes them overlap a little.
  static void write_face(const fs::path& folder, int c, int i) {
    cv::Mat image(16, 16, CV_8UC1);
    cv::RNG(1000 * c + i).fill(image, cv::RNG::UNIFORM, c ? 100 : 0, c ? 256 : 156);
    fs::create_directories(folder);
    cv::imwrite((folder / (std::to_string(c) + "-" + std::to_string(i) + ".png")).string(), image);
  }

  // Two classes in split folders: 24 train, 10 val and 10 test faces per class.
  static void write_faces(const fs::path& faces) {
    for (const auto& [split, count] :
         {std::pair<std::string, int>{"train", 24}, {"val", 10}, {"test", 10}})
      write_split(faces, split, count, false);
  }
  // Every test label wrong: each test face moved to the other class's folder.
  static void poison_test_split(const fs::path& faces) {
    fs::remove_all(faces / "test");
    write_split(faces, "test", 10, true);
  }
  static void write_split(const fs::path& faces, const std::string& split, int count, bool flip) {
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < count; ++i)
        write_face(faces / split / std::to_string(flip ? 1 - c : c), c,
                   i + 100 * static_cast<int>(split.size()));
  }

  Output run(const std::string& spec, const std::string& db) {
    std::ofstream(dir_ / "spec.yaml") << spec;
    fs::create_directories(fs::path(db).parent_path());
    return ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " run " +
                                                (dir_ / "spec.yaml").string() + " --db " + db +
                                                " --threads 1 --cache off");
  }

  // The rows as text, numbers also as hexadecimal floats: equal text is equal bits.
  static std::string rows(Database& d, const std::string& sql, bool exact = false) {
    Statement s(d, sql);
    std::ostringstream out;
    while (s.step()) {
      for (int c = 0; c < s.columns(); ++c) {
        out << (s.is_null(c) ? "NULL" : s.text(c)) << " ";
        if (exact) out << std::hexfloat << s.real(c) << " ";
      }
      out << "\n";
    }
    return out.str();
  }

  ferlab::testing_support::TempDir temp_{"protocol"};
  const fs::path dir_ = temp_.path();
};

}  // namespace

// Training on the same images twice, once with every test label wrong: if the test split
// took any part in choosing the epoch, the checkpoint or the schedule, something would differ
// besides the test figures. With two classes every wrong label flips a test outcome, so the
// poisoned test accuracy is exactly 1 - the honest one.
TEST_F(EvaluationProtocol, TheTestLabelsNeverChangeWhatIsTrainedOrSelected) {
  const fs::path faces = dir_ / "faces";
  write_faces(faces);
  const std::string spec =
      "name: protocol\n"
      "dataset: {plugin: image-folder, root: " +
      faces.string() +
      "}\n"
      "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, units: 2}\n"
      "train: {epochs: 5, batch: 8, optimizer: {name: adam, lr: 0.01}}\n"
      "evaluate: {splits: [val, test], tta: [none, hflip]}\n";
  const std::string honest_db = (dir_ / "honest" / "runs.db").string();
  Output honest = run(spec, honest_db);
  ASSERT_EQ(honest.status, 0) << honest.out;
  poison_test_split(faces);
  const std::string poisoned_db = (dir_ / "poisoned" / "runs.db").string();
  Output poisoned = run(spec, poisoned_db);
  ASSERT_EQ(poisoned.status, 0) << poisoned.out;

  Database h(honest_db, false), p(poisoned_db, false);
  // Every epoch's figures (not its times), the selected epoch and both checkpoint files.
  for (const char* sql :
       {"SELECT epoch, split, loss, accuracy, macro_f1, lr FROM epochs ORDER BY epoch, split",
        "SELECT name, epoch, sha256, bytes FROM artifacts WHERE kind = 'checkpoint' ORDER BY name",
        "SELECT tta, checkpoint, name, class, value FROM metrics WHERE split = 'val' "
        "ORDER BY tta, checkpoint, name, class"}) {
    const std::string expected = rows(h, sql, true);
    EXPECT_FALSE(expected.empty()) << sql;
    EXPECT_EQ(rows(p, sql, true), expected) << sql;
  }
  // The test figures do change: each test outcome flips.
  const std::string test_accuracy =
      "SELECT value FROM metrics WHERE split = 'test' AND name = 'accuracy' AND class = -1 "
      "ORDER BY tta, checkpoint";
  Statement a(h, test_accuracy), b(p, test_accuracy);
  int evaluations = 0, informative = 0;
  while (a.step()) {
    ASSERT_TRUE(b.step());
    EXPECT_NEAR(a.real(0) + b.real(0), 1.0, 1e-12);
    informative += a.real(0) != 0.5;  // where the flip changes the figure
    ++evaluations;
  }
  EXPECT_GT(informative, 0) << honest.out;
  EXPECT_EQ(evaluations, 4);  // (none, hflip) x (best, last)
}

// A sweep over the folds: each run records its fold; `ferlab runs` pools them into one
// variant; `ferlab show` prints the fold.
TEST_F(EvaluationProtocol, KFoldRunsRecordTheirFoldAndPoolIntoOneVariant) {
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 9; ++i) write_face(dir_ / "faces" / std::to_string(c), c, i);
  const std::string db = (dir_ / "runs.db").string();
  Output r =
      run("name: kfold\n"
          "dataset: {plugin: image-folder, root: " +
              (dir_ / "faces").string() +
              ", split: kfold, fold: 1/3}\n"
              "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, units: 2}\n"
              "train: {epochs: 1, batch: 8}\n"
              "sweep: {dataset.fold: [1/3, 2/3]}\n",
          db);
  ASSERT_EQ(r.status, 0) << r.out;
  {
    Database d(db, false);
    EXPECT_EQ(rows(d, "SELECT id, variant, fold FROM runs ORDER BY id"),
              "1 fold=1/3 1/3 \n2 fold=2/3 2/3 \n");
  }
  Output runs =
      ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " runs --markdown --db " + db);
  ASSERT_EQ(runs.status, 0) << runs.out;
  EXPECT_THAT(runs.out, HasSubstr("| 2 | kfold | fold=2/3 | 2/3 | 1 | finished |"));
  EXPECT_THAT(runs.out, HasSubstr("| kfold | - | 2 | "));  // both folds, one variant
  Output show =
      ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " show 2 --db " + db);
  ASSERT_EQ(show.status, 0) << show.out;
  EXPECT_THAT(show.out, testing::ContainsRegex("fold=2/3  2/3 +1  finished"));

  // A ratio split has no fold, though image-folder fills in a default `fold` parameter.
  Output ratio =
      run("name: ratio\n"
          "dataset: {plugin: image-folder, root: " +
              (dir_ / "faces").string() +
              "}\n"
              "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, units: 2}\n"
              "train: {epochs: 1, batch: 8}\n",
          db);
  ASSERT_EQ(ratio.status, 0) << ratio.out;
  Database d(db, false);
  EXPECT_EQ(rows(d, "SELECT fold FROM runs WHERE id = 3"), "NULL \n");
}

// A halving search (9 trials, eta 3: 9 trials for 1 epoch, the best 3 to 3 epochs) run twice,
// once with every test label wrong: the same trials are promoted, with the same figures, and
// the promoted ones are the 3 best on val after 1 epoch. Then --resume retrains nothing, and
// `ferlab search --best-spec` writes the winner as a spec `ferlab check` accepts.
TEST_F(EvaluationProtocol, AHalvingSearchDecidesOnValAloneAndResumesWithoutRetraining) {
  const fs::path faces = dir_ / "faces";
  write_faces(faces);
  const std::string spec =
      "name: halving\ndataset: {plugin: image-folder, root: " + faces.string() +
      "}\n"
      "model:\n  layers:\n    - {type: flatten}\n    - {type: dense, units: 2}\n"
      "train: {epochs: 3, batch: 8, optimizer: {name: adam, lr: 0.01}}\n"
      "search:\n  method: halving\n  sampler: sobol\n  trials: 9\n  seed: 4\n"
      "  space:\n    train.optimizer.lr: {loguniform: [1.0e-4, 0.3]}\n"
      "    train.label_smoothing: {uniform: [0, 0.3]}\n";
  const std::string honest_db = (dir_ / "honest" / "runs.db").string();
  Output honest = run(spec, honest_db);
  ASSERT_EQ(honest.status, 0) << honest.out;
  EXPECT_THAT(honest.out, HasSubstr("search: rung 2/2: 3 trials to 3 epochs"));
  poison_test_split(faces);
  const std::string poisoned_db = (dir_ / "poisoned" / "runs.db").string();
  Output poisoned = run(spec, poisoned_db);
  ASSERT_EQ(poisoned.status, 0) << poisoned.out;

  Database h(honest_db, false), p(poisoned_db, false);
  const char* decisions =
      "SELECT r.variant, r.status, coalesce(r.error, ''), e.epoch, e.accuracy, e.loss "
      "FROM runs r JOIN epochs e ON e.run_id = r.id AND e.split = 'val' ORDER BY r.id, e.epoch";
  const std::string expected = rows(h, decisions, true);
  EXPECT_EQ(rows(p, decisions, true), expected);
  // 9 trials trained 1 epoch, 3 of them 3: 15 epochs in all (search::total_epochs).
  EXPECT_EQ(rows(h, "SELECT count(*) FROM epochs WHERE split = 'val'"), "15 \n");
  EXPECT_EQ(rows(h, "SELECT count(*) FROM runs WHERE status = 'finished'"), "3 \n");
  EXPECT_EQ(rows(h, "SELECT count(*) FROM runs WHERE error LIKE 'search: not promoted%'"), "6 \n");
  // The promoted: the best 3 on val accuracy after epoch 1, ties to the lower trial number.
  const char* best_after_one =
      "SELECT r.variant FROM runs r JOIN epochs e ON e.run_id = r.id AND e.split = 'val' "
      "AND e.epoch = 1 JOIN params p ON p.run_id = r.id AND p.key = 'search.trial' "
      "ORDER BY e.accuracy DESC, CAST(p.value AS INTEGER) LIMIT 3";
  const char* finished = "SELECT variant FROM runs WHERE status = 'finished'";
  std::vector<std::string> a, b;
  for (Statement s(h, best_after_one); s.step();) a.push_back(s.text(0));
  for (Statement s(h, finished); s.step();) b.push_back(s.text(0));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);

  Output resumed = ferlab::testing_support::run_command(
      std::string(FERLAB_CLI) + " run " + (dir_ / "spec.yaml").string() + " --db " + honest_db +
      " --threads 1 --cache off --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_EQ(rows(h, decisions, true), expected);
  EXPECT_EQ(rows(h, "SELECT count(*) FROM runs"), "9 \n");

  const std::string best = (dir_ / "best.yaml").string();
  Output search = ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " search --db " +
                                                       honest_db + " --best-spec " + best);
  ASSERT_EQ(search.status, 0) << search.out;
  EXPECT_THAT(search.out, HasSubstr("train.optimizer.lr"));
  EXPECT_THAT(search.out, HasSubstr("not promoted"));
  Output check = ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " check " + best);
  EXPECT_EQ(check.status, 0) << check.out;
  EXPECT_THAT(check.out, testing::Not(HasSubstr("search")));

  // The report's search section: the 9 trials ranked, how far they went, and a scatter of val
  // accuracy against each searched number (the learning rate on a log axis).
  const std::string html = (dir_ / "report.html").string();
  Output report = ferlab::testing_support::run_command(std::string(FERLAB_CLI) + " report --db " +
                                                       honest_db + " --out " + html);
  ASSERT_EQ(report.status, 0) << report.out;
  const std::string page = ferlab::testing_support::file_text(html);
  const std::size_t table = page.find("id=\"search-trials\"");
  ASSERT_NE(table, std::string::npos);
  const std::string trials = page.substr(table, page.find("</table>", table) - table);
  EXPECT_EQ(std::count(trials.begin(), trials.end(), '\n'), 0);
  std::size_t rows = 0;
  for (std::size_t at = trials.find("<tr"); at != std::string::npos;
       at = trials.find("<tr", at + 1))
    ++rows;
  EXPECT_EQ(rows, 1u + 9u);  // the header and 9 trials
  EXPECT_THAT(page,
              HasSubstr("<li>6 trials trained 1 epoch</li><li>3 trials trained 3 epochs</li>"));
  EXPECT_THAT(page, HasSubstr("val accuracy against train.optimizer.lr (log axis)"));
}
