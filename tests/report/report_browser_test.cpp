// The report of a real 3-variant x 2-seed sweep, opened in headless Chromium as a reviewer would:
// it loads without console messages, every section, table and chart is there, and the numbers
// the browser shows are the numbers in the run database.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "report/html_text.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using ferlab::testing_support::run_command;
using testing::HasSubstr;

namespace {

std::string read(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The element of `dom` that starts with `opening` up to the first `closing` after it.
std::string element(const std::string& dom, const std::string& opening,
                    const std::string& closing) {
  size_t start = dom.find(opening);
  if (start == std::string::npos) return "";
  size_t end = dom.find(closing, start);
  return dom.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class ReportBrowserTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    temp_.emplace("report-browser");
    dir_ = temp_->path();
    std::string cli = FERLAB_CLI;
    run_ = run_command(cli + " run " + FERLAB_SOURCE_DIR + "/experiments/report-sweep.yaml --db " +
                       db() + " --threads 1");
    if (run_.status != 0) return;
    report_ = run_command(cli + " report --db " + db() + " --experiment report-sweep --out " +
                          (dir_ / "report.html").string());
    if (report_.status != 0 || !chromium_present()) return;
    // --dump-dom prints the document after its scripts ran; console messages go to stderr.
    browser_ = run_command("chromium --headless --no-sandbox --disable-gpu --user-data-dir=" +
                               (dir_ / "profile").string() +
                               " --enable-logging=stderr --v=0 --dump-dom file://" +
                               (dir_ / "report.html").string(),
                           false);
  }
  static void TearDownTestSuite() { temp_.reset(); }

  void SetUp() override {
    ASSERT_EQ(run_.status, 0) << run_.out;
    ASSERT_EQ(report_.status, 0) << report_.out;
    if (!chromium_present()) GTEST_SKIP() << "chromium is not installed (scripts/deps installs it)";
    ASSERT_EQ(browser_.status, 0) << browser_.err;
  }

  static bool chromium_present() { return run_command("command -v chromium").status == 0; }
  static std::string db() { return (dir_ / "runs.db").string(); }

  void loads_without_console_messages_and_runs_its_script();
  void shows_every_section_table_and_chart();
  void shows_the_numbers_stored_in_the_database();

  static inline std::optional<ferlab::testing_support::TempDir> temp_;
  static inline fs::path dir_;
  static ferlab::testing_support::CommandOutput run_, report_, browser_;
};

ferlab::testing_support::CommandOutput ReportBrowserTest::run_, ReportBrowserTest::report_,
    ReportBrowserTest::browser_;

}  // namespace

void ReportBrowserTest::loads_without_console_messages_and_runs_its_script() {
  std::regex console(".*CONSOLE.*");
  std::string lines;
  for (std::sregex_iterator m(browser_.err.begin(), browser_.err.end(), console), end; m != end;
       ++m)
    lines += m->str() + "\n";
  EXPECT_EQ(lines, "") << "the page wrote to the console";
  EXPECT_THAT(browser_.out, HasSubstr("</html>"));
  // The script ran: with several variants the spec table opens on the differences only.
  EXPECT_THAT(browser_.out, HasSubstr("id=\"spec-params\" class=\"params differences-only\""));
  EXPECT_THAT(read(dir_ / "report.html"), testing::Not(HasSubstr("src=\"http")));
}

void ReportBrowserTest::shows_every_section_table_and_chart() {
  const std::string& dom = browser_.out;
  for (const char* id :
       {"summary", "comparison", "significance", "curves", "confusion", "examples", "gradcam"})
    EXPECT_THAT(dom, HasSubstr(fmt::format("<section id=\"{}\">", id))) << id;
  EXPECT_EQ(count(dom, "<svg id=\"curve-"), 4);         // train / val x loss / accuracy
  EXPECT_EQ(count(dom, "<svg class=\"heatmap\""), 12);  // 3 variants x 2 splits x 2 forms
  EXPECT_EQ(count(dom, "<tr class=\"status-finished\""), 6);
  // Images: each variant's most confidently misclassified test faces; one preview grid (the
  // variants share preprocessing and augmentation, so their grids are the same image).
  EXPECT_EQ(count(dom, "data-kind=\"misclassified\""), 3);
  EXPECT_EQ(count(dom, "data-kind=\"preview\""), 1);
  // Grad-CAM over right and wrong test faces of the best variant (at most 2 per class).
  int heatmaps = count(element(dom, "<section id=\"gradcam\">", "</section>"), "<img ");
  EXPECT_GE(heatmaps, 2);
  EXPECT_LE(heatmaps, 14);
  std::string comparison = element(dom, "<table class=\"sortable comparison\"", "</table>");
  EXPECT_EQ(count(comparison, "<tr data-variant="), 3);
  EXPECT_GE(count(comparison, "class=\"best\""), 6);  // each figure column (ties: more)
}

void ReportBrowserTest::shows_the_numbers_stored_in_the_database() {
  const std::string& dom = browser_.out;
  Database d(db(), false);
  // Every run's test accuracy in its row of the runs table.
  Statement runs(d, R"sql(SELECT run_id, value FROM metrics WHERE split = 'test' AND tta = 'none'
                          AND checkpoint = 'best' AND name = 'accuracy' AND class = -1)sql");
  int seen = 0;
  while (runs.step()) {
    std::string row = element(dom, fmt::format("data-run=\"{}\">", runs.integer(0)), "</tr>");
    EXPECT_THAT(row, HasSubstr(fmt::format(">{:.4f}<", runs.real(1)))) << row;
    ++seen;
  }
  EXPECT_EQ(seen, 6);
  // Each variant's mean test accuracy over its seeds in the comparison table.
  Statement means(d, R"sql(SELECT r.variant, avg(m.value) FROM metrics m JOIN runs r
                           ON r.id = m.run_id WHERE m.split = 'test' AND m.tta = 'none'
                           AND m.checkpoint = 'best' AND m.name = 'accuracy' AND m.class = -1
                           GROUP BY r.variant)sql");
  std::string comparison = element(dom, "<table class=\"sortable comparison\"", "</table>");
  seen = 0;
  while (means.step()) {
    std::string row = element(comparison, "<tr data-variant=\"" + means.text(0) + "\">", "</tr>");
    EXPECT_THAT(row, HasSubstr(fmt::format(">{:.4f} \u00b1 ", means.real(1)))) << row;
    ++seen;
  }
  EXPECT_EQ(seen, 3);
  // The pooled test confusion matrix of the first variant: each class's support.
  Statement support(d, R"sql(SELECT c.true_class, sum(c.count) FROM confusion c
                             JOIN runs r ON r.id = c.run_id
                             WHERE r.variant = (SELECT variant FROM runs ORDER BY id LIMIT 1)
                             AND c.split = 'test' AND c.tta = 'none' AND c.checkpoint = 'best'
                             GROUP BY c.true_class ORDER BY c.true_class)sql");
  std::string table =
      element(element(dom, "<table class=\"per-class\" id=\"per-class-0-test\"", "</table>"),
              "<tbody>", "</tbody>");
  std::vector<std::string> rows;
  for (size_t at = table.find("<tr><th>"); at != std::string::npos;
       at = table.find("<tr><th>", at + 1))
    rows.push_back(table.substr(at, table.find("</tr>", at) - at));
  seen = 0;
  while (support.step()) {
    ASSERT_LT(static_cast<size_t>(support.integer(0)), rows.size());
    EXPECT_THAT(rows[support.integer(0)],
                HasSubstr(fmt::format("<td>{}</td>", support.integer(1))));
    ++seen;
  }
  EXPECT_EQ(seen, 7);
  // The first run's stored images, byte for byte, as data URIs.
  Statement images(
      d, "SELECT data FROM artifacts WHERE run_id = 1 AND kind IN ('misclassified', 'preview')");
  seen = 0;
  while (images.step()) {
    EXPECT_THAT(dom, HasSubstr("src=\"data:image/png;base64," +
                               ferlab::report::base64(images.blob(0)) + "\""));
    ++seen;
  }
  EXPECT_EQ(seen, 9);  // 8 misclassified faces and the preview grid
}

// One test: the sweep, the report and the browser run once (a ctest process per test would
// repeat them).
TEST_F(ReportBrowserTest, ASweepReportLooksRightInChromium) {
  {
    SCOPED_TRACE("console and script");
    loads_without_console_messages_and_runs_its_script();
  }
  {
    SCOPED_TRACE("sections, tables, charts, images");
    shows_every_section_table_and_chart();
  }
  {
    SCOPED_TRACE("numbers against SQLite");
    shows_the_numbers_stored_in_the_database();
  }
}
