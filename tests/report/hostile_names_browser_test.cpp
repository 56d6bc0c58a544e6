// A dataset whose class folders and file names, spec values and error messages carry HTML and
// script: its report, opened in headless Chromium, runs none of it and shows the names as text.
// Every payload would mark <body> with data-pwned if it ran.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using ferlab::testing_support::CommandOutput;
using ferlab::testing_support::run_command;
using testing::HasSubstr;
using testing::Not;

namespace {

const std::string kClassA = "<img src=x onerror=document.body.dataset.pwned=1>";
const std::string kClassB = "\"><svg onload=document.body.dataset.pwned=2>";
const std::string kFile = "<img src=x onerror=document.body.dataset.pwned=3>";  // + "N.png"
const std::string kDescription = "<script>document.body.dataset.pwned=4</script>";
const std::string kVariant = "\"><svg onload=document.body.dataset.pwned=5>";
const std::string kMissingRoot = "<img src=x onerror=document.body.dataset.pwned=6>";

// As the DOM serialises text: & < > escaped (quotes are not, outside attributes).
std::string as_text(const std::string& s) {
  std::string out;
  for (char c : s)
    out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

// YAML double-quoted scalar.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

class HostileNamesTest : public testing::Test {
 protected:
  void SetUp() override {
    if (run_command("command -v chromium").status != 0)
      GTEST_SKIP() << "chromium is not installed (scripts/deps installs it)";
    int seed = 0;
    for (const std::string& name : {kClassA, kClassB}) {
      fs::create_directories(dir_ / "faces" / name);
      for (int i = 0; i < 20; ++i) {
        cv::Mat face(16, 16, CV_8UC1);  // noise: the classes cannot be told apart, so some test
        cv::randu(face, 0, 256);        // faces are misclassified and shown, with file names
        cv::imwrite((dir_ / "faces" / name / (kFile + std::to_string(seed++) + ".png")).string(),
                    face);
      }
    }
  }

  CommandOutput run_spec(const std::string& file, const std::string& root,
                         const std::string& extra) {
    std::ofstream(dir_ / file) << "name: hostile\n"
                               << "description: " << quoted(kDescription) << "\n"
                               << "dataset: {plugin: image-folder, root: " << quoted(root) << "}\n"
                               << "model:\n  layers:\n    - {type: flatten}\n"
                               << "    - {type: dense, units: 2}\n"
                               << "train: {epochs: 1, batch: 8}\n"
                               << extra;
    return run_command(std::string(FERLAB_CLI) + " run '" + (dir_ / file).string() +
                       "' --threads 1 --db " + (dir_ / "runs.db").string());
  }

  ferlab::testing_support::TempDir temp_{"hostile-report"};
  const fs::path dir_ = temp_.path();
};

}  // namespace

TEST_F(HostileNamesTest, NoScriptRunsAndTheNamesShowAsText) {
  CommandOutput trained = run_spec("spec.yaml", (dir_ / "faces").string(),
                                   "sweep:\n  description: [plain, " + quoted(kVariant) + "]\n");
  ASSERT_EQ(trained.status, 0) << trained.out;
  CommandOutput failed = run_spec("missing.yaml", (dir_ / kMissingRoot).string(), "");
  ASSERT_NE(failed.status, 0) << failed.out;  // recorded as a failed run, its error naming root
  CommandOutput report =
      run_command(std::string(FERLAB_CLI) + " report --db " + (dir_ / "runs.db").string() +
                  " --experiment hostile --out " + (dir_ / "report.html").string());
  ASSERT_EQ(report.status, 0) << report.out;
  CommandOutput browser = run_command(
      "chromium --headless --no-sandbox --disable-gpu --user-data-dir=" +
          (dir_ / "profile").string() + " --enable-logging=stderr --v=0 --dump-dom file://" +
          (dir_ / "report.html").string(),
      false);
  ASSERT_EQ(browser.status, 0) << browser.err;
  const std::string& dom = browser.out;
  ASSERT_THAT(dom, HasSubstr("</html>"));
  // Nothing ran: no payload marked the body, and none became an element.
  EXPECT_THAT(dom, Not(HasSubstr("data-pwned")));
  EXPECT_THAT(dom, Not(HasSubstr("<img src=\"x\"")));
  EXPECT_THAT(dom, Not(HasSubstr("<svg onload")));
  EXPECT_THAT(dom, Not(HasSubstr("<script>document")));
  EXPECT_THAT(browser.err, Not(HasSubstr("CONSOLE"))) << "the page wrote to the console";
  // Each name shows as the text it is.
  EXPECT_THAT(dom, HasSubstr(as_text(kClassA)));  // class names
  EXPECT_THAT(dom, HasSubstr(as_text(kClassB)));
  EXPECT_THAT(dom, HasSubstr(as_text(kFile)));         // file names, in misclassified faces' alt
  EXPECT_THAT(dom, HasSubstr(as_text(kVariant)));      // a swept spec value, the variant
  EXPECT_THAT(dom, HasSubstr(as_text(kMissingRoot)));  // the failed run's error
}
