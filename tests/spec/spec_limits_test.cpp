// Hostile specs: an alias bomb, deep nesting, huge files, ${VAR}s that expand without end, sweeps
// of astronomical size and very long scalars fail fast with an error naming the file and the
// limit (spec_limits.hpp), never exhaust memory or the stack.
#include "spec/spec_limits.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../support/fixture_catalog.hpp"
#include "../support/process.hpp"
#include "spec/spec_loader.hpp"

using namespace ferlab;
using testing::HasSubstr;
using testing_support::fixture_catalog;

namespace {

const char* valid = R"(name: demo
seeds: [1, 2]
dataset: {plugin: fixture-dataset, per_class: 2}
model:
  backbone: {plugin: fixture-net, width: 16}
train:
  epochs: 3
)";

std::string all_problems(const spec::LoadedSpec& s) {
  std::string out;
  for (const auto& p : s.problems.all()) out += p.text() + "\n";
  return out;
}

// "Billion laughs": `levels` anchors, each a list of 9 aliases to the one before.
std::string alias_bomb(int levels) {
  std::string text = "name: bomb\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < levels; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  return text;
}

// Runs `load` and returns what it took, in seconds.
template <typename F>
double seconds(F&& load) {
  auto start = std::chrono::steady_clock::now();
  load();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST(SpecLimits, AnAliasBombFailsFastNamingTheFileAndTheNodeLimit) {
  spec::LoadedSpec s;
  double took = seconds(
      [&] { s = spec::load_spec_text(alias_bomb(10), "bomb.yaml", {}, fixture_catalog()); });
  EXPECT_LT(took, 1.0);  // 9^10 nodes once expanded; without the budget it ran out of memory
  ASSERT_EQ(s.problems.size(), 1u) << all_problems(s);
  EXPECT_THAT(all_problems(s), HasSubstr("bomb.yaml:"));
  EXPECT_THAT(all_problems(s),
              HasSubstr("more than 100000 YAML nodes with its aliases expanded (the limit on "
                        "spec nodes)"));
  EXPECT_TRUE(s.runs.empty());
}

TEST(SpecLimits, ASetValueOverTheBudgetFailsNamingTheOverride) {
  std::string list = "[";
  for (int i = 0; i < 200'000; ++i) list += "1,";
  spec::LoadedSpec s =
      spec::load_spec_text(valid, "spec.yaml", {"seeds=" + list + "1]"}, fixture_catalog());
  EXPECT_THAT(all_problems(s), HasSubstr("--set seeds=[1,1,"));
  EXPECT_THAT(all_problems(s), HasSubstr("the value is more than 100000 YAML nodes"));
}

TEST(SpecLimits, AliasesWithinTheBudgetStillExpand) {
  spec::LoadedSpec s = spec::load_spec_text(
      std::string(valid) + "sweep:\n  model.backbone: [&n {plugin: fixture-net}, *n]\n",
      "spec.yaml", {}, fixture_catalog());
  ASSERT_TRUE(s.problems.empty()) << all_problems(s);
  ASSERT_EQ(s.runs.size(), 4u);
  EXPECT_EQ(s.runs[3].backbone->plugin, "fixture-net");
}

TEST(SpecLimits, DeepNestingIsRefusedAtItsDepth) {
  std::string text = std::string(valid) + "deep: " + std::string(100, '[') + std::string(100, ']');
  spec::LoadedSpec s = spec::load_spec_text(text, "deep.yaml", {}, fixture_catalog());
  EXPECT_THAT(all_problems(s), HasSubstr("deep.yaml:8:"));
  EXPECT_THAT(all_problems(s),
              HasSubstr("nested more than 64 levels deep (the limit on spec nesting)"));
  text = std::string(valid) + "deep: " + std::string(60, '[') + std::string(60, ']');
  std::string found = all_problems(spec::load_spec_text(text, "deep.yaml", {}, fixture_catalog()));
  EXPECT_THAT(found, HasSubstr("unknown key 'deep'"));  // 60 levels are within the limit
  EXPECT_THAT(found, testing::Not(HasSubstr("limit")));
}

TEST(SpecLimits, ATooLargeFileIsRefusedBeforeParsing) {
  std::string text = std::string(valid) + "# " + std::string(spec::SpecLimits::file_bytes, 'x');
  spec::LoadedSpec s = spec::load_spec_text(text, "big.yaml", {}, fixture_catalog());
  EXPECT_EQ(all_problems(s),
            "big.yaml: the spec is more than 1048576 bytes (the limit on spec size)\n");
  // A file that never ends is read only up to the limit.
  spec::LoadedSpec zero = spec::load_spec("/dev/zero", {}, fixture_catalog());
  EXPECT_EQ(all_problems(zero),
            "/dev/zero: the spec is more than 1048576 bytes (the limit on spec size)\n");
}

TEST(SpecLimits, VariablesExpandingPastTheSizeLimitAreRefusedAtTheirLine) {
  setenv("FERLAB_TEST_BIG", std::string(100'000, 'x').c_str(), 1);
  std::string text = std::string(valid) + "description: ";
  for (int i = 0; i < 20; ++i) text += "${FERLAB_TEST_BIG}";
  spec::LoadedSpec s = spec::load_spec_text(text + "\n", "env.yaml", {}, fixture_catalog());
  unsetenv("FERLAB_TEST_BIG");
  EXPECT_EQ(all_problems(s),
            "env.yaml:8:1: with its ${VAR}s expanded the spec exceeds the limit of 1048576 bytes "
            "here\n");
}

TEST(SpecLimits, LongScalarsAndDefaultsDoNotOverflowTheStack) {
  // Both crashed `ferlab check` with a segmentation fault (std::regex recursing once per
  // character of the match).
  std::string digits = std::string(valid);
  digits.replace(digits.find("[1, 2]"), 6, "[" + std::string(500'000, '1') + "]");
  std::string found =
      all_problems(spec::load_spec_text(digits, "digits.yaml", {}, fixture_catalog()));
  EXPECT_THAT(found, HasSubstr("digits.yaml:2:"));
  EXPECT_THAT(found, HasSubstr("seeds"));

  unsetenv("FERLAB_TEST_UNSET");
  std::string text =
      std::string(valid) + "description: ${FERLAB_TEST_UNSET:-" + std::string(300'000, 'x') + "}\n";
  spec::LoadedSpec s = spec::load_spec_text(text, "default.yaml", {}, fixture_catalog());
  ASSERT_TRUE(s.problems.empty()) << all_problems(s);
  EXPECT_EQ(s.runs[0].description, std::string(300'000, 'x'));
}

TEST(SpecLimits, AnAstronomicalSweepIsRefusedBeforeExpanding) {
  std::string text = std::string(valid) + "sweep:\n";
  for (const char* key :
       {"train.epochs", "train.batch", "dataset.per_class", "model.backbone.width"})
    text += std::string("  ") + key + ": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\n";
  spec::LoadedSpec s;
  double took =
      seconds([&] { s = spec::load_spec_text(text, "sweep.yaml", {}, fixture_catalog()); });
  EXPECT_LT(took, 1.0);
  EXPECT_EQ(all_problems(s),
            "sweep.yaml:9:3: sweep: the sweep times the seeds makes more than 10000 runs (the "
            "limit on runs in one spec)\n");
  // 12 x 12 x 2 seeds = 288 runs are within it
  text = text.substr(0, text.find("  dataset.per_class"));
  EXPECT_TRUE(spec::load_spec_text(text, "sweep.yaml", {}, fixture_catalog()).problems.empty());
}

TEST(SpecLimits, RunsHoldingTooManyNodesInAllAreRefused) {
  std::string text = std::string(valid) + "x-data: [";
  for (int i = 0; i < 50'000; ++i) text += "1,";
  text += "1]\nsweep:\n  train.epochs: [";
  for (int i = 1; i <= 40; ++i) text += std::to_string(i) + ",";
  text += "41]\n";  // 41 variants x 2 seeds x 50k nodes: 4.1M nodes
  std::string found = all_problems(spec::load_spec_text(text, "wide.yaml", {}, fixture_catalog()));
  EXPECT_THAT(found, HasSubstr("wide.yaml:10:3: sweep: the runs expanded hold more than 2000000 "
                               "spec nodes in all (the limit on nodes over all runs)"));
}

// Comparing every problem with every other took minutes for 50,000 of them. Ten times the
// problems must take about ten times as long (a hundred times, quadratic); a ratio of times
// measured in the same test, so a loaded machine or a sanitizer slows both sides alike.
TEST(SpecLimits, ManyDistinctProblemsAreCollectedInLinearTime) {
  auto load_unknown_keys = [](int count) {
    std::string text = std::string(valid);
    for (int i = 0; i < count; ++i) text.append("k").append(std::to_string(i)).append(": 1\n");
    spec::LoadedSpec s;
    const double took =
        seconds([&] { s = spec::load_spec_text(text, "keys.yaml", {}, fixture_catalog()); });
    EXPECT_EQ(s.problems.size(), static_cast<std::size_t>(count));
    return took;
  };
  const double few = std::min(load_unknown_keys(5'000), load_unknown_keys(5'000));
  const double many = load_unknown_keys(50'000);
  EXPECT_LT(many / few, 30.0) << few << " s for 5,000 problems, " << many << " s for 50,000";
}

TEST(SpecLimits, TheCommandLineNamesTheFileAndTheLimit) {
  std::filesystem::path file = std::filesystem::temp_directory_path() / "ferlab-alias-bomb.yaml";
  std::ofstream(file) << alias_bomb(9);
  auto result = testing_support::run_ferlab("check " + file.string());
  EXPECT_EQ(result.status, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr(file.string() + ":"));
  EXPECT_THAT(result.err, HasSubstr("the limit on spec nodes"));
  std::filesystem::remove(file);
}
