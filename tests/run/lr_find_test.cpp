// The learning-rate range test: the suggestion on a loss curve of known shape, and the command
// end to end on synthetic faces (a plot written, the same output twice with the same seed).
#include "run/lr_find.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>

#include "../support/files.hpp"
#include "../support/process.hpp"
#include "../support/specs.hpp"
#include "../support/temp_dir.hpp"
#include "storage/lr_find_records.hpp"

using ferlab::testing_support::run_command;
using testing::HasSubstr;

// Flat until 1e-4, falling fastest at 1e-3 (a logistic step of 2), lowest near 1e-1, then rising
// steeply: the suggestion is 1e-3 within a fifth of a decade, the minimum between 1e-2 and 1.
TEST(LrFind, TheSuggestionIsWhereTheLossFallsFastest) {
  ferlab::run::LrFindResult r;
  const int steps = 300;
  for (int k = 0; k < steps; ++k) {
    const double x = -7 + 8.0 * k / (steps - 1);  // log10 rate from 1e-7 to 10
    r.rates.push_back(std::pow(10.0, x));
    const double fall = 2 / (1 + std::exp(-4 * (x + 3)));
    const double rise = x > -1 ? 5 * (x + 1) * (x + 1) : 0;
    r.losses.push_back(3 - fall + rise);
  }
  ferlab::run::analyse_lr_curve(r);
  ASSERT_EQ(r.smoothed.size(), r.losses.size());
  EXPECT_NEAR(std::log10(r.steepest), -3.0, 0.2);
  EXPECT_GT(std::log10(r.minimum), -2.0);
  EXPECT_LT(std::log10(r.minimum), 0.0);
}

TEST(LrFind, TheCommandDrawsTheCurveAndRepeatsItself) {
  const ferlab::testing_support::TempDir dir("lr-find");
  const std::string spec = (dir.path() / "spec.yaml").string();
  std::ofstream(spec) << ferlab::testing_support::tiny_sweep_spec("lr", 1);
  auto find = [&](const std::string& plot) {
    return run_command(std::string(FERLAB_CLI) + " lr-find " + spec +
                       " --steps 40 --start 1e-5 --end 10 "
                       "--threads 1 --plot " +
                       (dir.path() / plot).string());
  };
  const auto first = find("a.svg"), second = find("b.svg");
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_THAT(first.out, HasSubstr("suggested learning rate:"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.out, m, std::regex("suggested learning rate: ([0-9.e+-]+)")));
  const double suggested = std::stod(m[1]);
  EXPECT_GE(suggested, 1e-5);
  EXPECT_LE(suggested, 10);
  const std::string svg = ferlab::testing_support::file_text(dir.path() / "a.svg");
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_THAT(svg, HasSubstr("log10 learning rate"));
  // Same spec, same seed: the same losses at the same rates (the plot's name aside).
  auto without_plot = [](std::string text) { return text.substr(0, text.find("plot: ")); };
  EXPECT_EQ(without_plot(second.out), without_plot(first.out));
}

// `lr-find --db` keeps the test beside the experiment's runs: read back, its rates are the
// schedule's to the last bit; the report shows its curve, suggestion and the runs' rate; a merge
// carries it over once, however often it is repeated.
TEST(LrFind, ARecordedTestIsInTheReportAndSurvivesMerges) {
  const ferlab::testing_support::TempDir dir("lr-find-db");
  const std::string spec = (dir.path() / "spec.yaml").string(),
                    db = (dir.path() / "runs.db").string();
  std::ofstream(spec) << ferlab::testing_support::tiny_sweep_spec("lr", 1);
  const std::string one_run = " --set 'sweep={train.optimizer.lr: [0.001]}' --set 'seeds=[1]'";
  const auto trained = run_command(std::string(FERLAB_CLI) + " run " + spec + one_run +
                                   " --threads 1 --cache off --db " + db);
  ASSERT_EQ(trained.status, 0) << trained.out;
  const auto found = run_command(std::string(FERLAB_CLI) + " lr-find " + spec + one_run +
                                 " --steps 40 --start 1e-5 --end 10 --threads 1 --db " + db +
                                 " --plot " + (dir.path() / "lr.svg").string());
  ASSERT_EQ(found.status, 0) << found.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(found.out, m, std::regex("suggested learning rate: ([0-9.e+-]+)")));
  const std::string suggested = m[1];

  std::vector<ferlab::storage::LrFindRecord> tests;
  {
    ferlab::storage::Database d(db, false);
    tests = ferlab::storage::lr_finds(d, "lr");
  }
  ASSERT_EQ(tests.size(), 1u);
  const ferlab::storage::LrFindRecord& t = tests.front();
  ASSERT_FALSE(t.rates.empty());
  EXPECT_EQ(t.losses.size(), t.rates.size());
  for (std::size_t k = 0; k < t.rates.size(); ++k)
    EXPECT_EQ(t.rates[k], 1e-5 * std::pow(10 / 1e-5, static_cast<double>(k) / 39)) << k;
  EXPECT_NE(std::find(t.rates.begin(), t.rates.end(), t.suggested), t.rates.end());

  const std::string html = (dir.path() / "report.html").string();
  const auto report =
      run_command(std::string(FERLAB_CLI) + " report --db " + db + " --out " + html);
  ASSERT_EQ(report.status, 0) << report.out;
  const std::string page = ferlab::testing_support::file_text(html);
  const std::size_t at = page.find("<section id=\"lr-find\">");
  ASSERT_NE(at, std::string::npos);
  const std::string section = page.substr(at, page.find("</section>", at) - at);
  EXPECT_THAT(section, HasSubstr("Suggested learning rate <span class=\"best\">" + suggested));
  EXPECT_THAT(section, HasSubstr("<svg id=\"lr-find-0\""));
  EXPECT_THAT(section, HasSubstr("Its runs used learning rate 0.001."));

  const std::string merged = (dir.path() / "merged.db").string();
  for (int twice = 0; twice < 2; ++twice) {
    const auto merge = run_command(std::string(FERLAB_CLI) + " db merge " + merged + " " + db);
    ASSERT_EQ(merge.status, 0) << merge.out;
  }
  ferlab::storage::Database d(merged, false);
  const auto copies = ferlab::storage::lr_finds(d, "lr");
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies.front().rates, t.rates);
  EXPECT_EQ(copies.front().smoothed, t.smoothed);
  EXPECT_EQ(copies.front().suggested, t.suggested);
}
