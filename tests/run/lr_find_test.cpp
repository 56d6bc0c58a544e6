// The learning-rate range test: the suggestion on a loss curve of known shape, and the command
// end to end on synthetic faces (a plot written, the same output twice with the same seed).
#include "run/lr_find.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>

#include "../support/process.hpp"
#include "../support/specs.hpp"
#include "../support/temp_dir.hpp"

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
  std::ifstream plot(dir.path() / "a.svg");
  const std::string svg((std::istreambuf_iterator<char>(plot)), {});
  EXPECT_THAT(svg, HasSubstr("<svg"));
  EXPECT_THAT(svg, HasSubstr("log10 learning rate"));
  // Same spec, same seed: the same losses at the same rates (the plot's name aside).
  auto without_plot = [](std::string text) { return text.substr(0, text.find("plot: ")); };
  EXPECT_EQ(without_plot(second.out), without_plot(first.out));
}
