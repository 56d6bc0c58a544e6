// Out-of-tree plugins: install ferlab to a temporary prefix, build the example plugin from
// plugins/README.md against the installed CMake package, and see it in `ferlab plugins`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::Not;

namespace {

using Output = ferlab::testing_support::CommandOutput;

Output shell(const std::string& command) { return ferlab::testing_support::run_command(command); }

// The first fenced block of a language after `heading`.
std::string code_block(const std::string& page, const std::string& heading, const std::string& lang,
                       size_t skip = 0) {
  size_t at = page.find(heading);
  if (at == std::string::npos) return "";
  const std::string fence = "```" + lang + "\n";
  for (size_t i = 0; i <= skip; ++i) {
    at = page.find(fence, at);
    if (at == std::string::npos) return "";
    at += fence.size();
  }
  return page.substr(at, page.find("```", at) - at);
}

// ferlab installed from the build tree into `prefix`.
void install_into(const fs::path& prefix) {
  Output install = shell("cmake --install " FERLAB_BINARY_DIR " --prefix " + prefix.string());
  ASSERT_EQ(install.status, 0) << install.out;
}

std::string plugins_readme() {
  std::ifstream readme(FERLAB_SOURCE_DIR "/plugins/README.md");
  std::stringstream page;
  page << readme.rdbuf();
  return page.str();
}

}  // namespace

TEST(OutOfTree, InstalledPackageBuildsTheDocumentedPluginAndFerlabListsIt) {
  const ferlab::testing_support::TempDir temp_work("oot");
  const fs::path work = temp_work.path();
  fs::path prefix = work / "prefix", source = work / "src", build = work / "build";
  fs::create_directories(source);

  ASSERT_NO_FATAL_FAILURE(install_into(prefix));
  const std::string page = plugins_readme();
  std::string cmake = code_block(page, "## Out of tree", "cmake");
  std::string cpp = code_block(page, "## Out of tree", "cpp");
  ASSERT_THAT(cmake, HasSubstr("find_package(ferlab REQUIRED)"));
  ASSERT_THAT(cpp, HasSubstr("FERLAB_PLUGIN("));
  std::ofstream(source / "CMakeLists.txt") << cmake;
  std::ofstream(source / "invert.cpp") << cpp;

  Output configure = shell("cmake -S " + source.string() + " -B " + build.string() +
                           " -DCMAKE_PREFIX_PATH=" + prefix.string());
  ASSERT_EQ(configure.status, 0) << configure.out;
  Output compile = shell("cmake --build " + build.string() + " -- VERBOSE=1");
  ASSERT_EQ(compile.status, 0) << compile.out;
  // Configured as documented, with no build type: the plugin is still compiled optimised.
  EXPECT_THAT(compile.out, HasSubstr("-O2")) << compile.out;

  fs::path ferlab = prefix / "bin" / "ferlab";
  Output listed = shell(ferlab.string() + " --plugin-path " + build.string() +
                        " plugins --kind preprocessor --json");
  ASSERT_EQ(listed.status, 0) << listed.out;
  nlohmann::json plugins = nlohmann::json::parse(listed.out);
  bool found = false;
  for (const auto& p : plugins) {
    if (p["name"] != "my-invert") continue;
    found = true;
    EXPECT_EQ(p["version"], "1.0.0");
    EXPECT_THAT(p["file"].get<std::string>(), HasSubstr(build.string()));
    EXPECT_EQ(p["params"][0]["name"], "strength");
  }
  EXPECT_TRUE(found) << listed.out;
  // The installed binary also finds the installed in-tree plugins on its own.
  Output own = shell(ferlab.string() + " plugins --kind backbone --json");
  ASSERT_EQ(own.status, 0) << own.out;
  EXPECT_THAT(own.out, HasSubstr(prefix.string() + "/lib/ferlab/plugins/"));
}

// The layer example of plugins/README.md, built with its own test against the installed kit
// only: the test passes; with the layer's gradient broken (2x -> x) it fails, naming the input
// gradient, though the forward pass is still right.
TEST(OutOfTree, TheDocumentedLayerAndItsKitTestBuildAndCatchABrokenGradient) {
  const ferlab::testing_support::TempDir temp_work("oot-layer");
  const fs::path work = temp_work.path();
  const fs::path prefix = work / "prefix", source = work / "src", build = work / "build";
  fs::create_directories(source);
  ASSERT_NO_FATAL_FAILURE(install_into(prefix));
  const std::string page = plugins_readme(), heading = "### A layer and its test, out of tree";
  const std::string cmake = code_block(page, heading, "cmake");
  std::string layer = code_block(page, heading, "cpp");
  const std::string test = code_block(page, heading, "cpp", 1);
  ASSERT_THAT(cmake, HasSubstr("TESTS square_test.cpp"));
  ASSERT_THAT(test, HasSubstr("ferlab/testing.hpp"));
  std::ofstream(source / "CMakeLists.txt") << cmake;
  std::ofstream(source / "square.cpp") << layer;
  std::ofstream(source / "square_test.cpp") << test;

#ifdef FERLAB_SANITIZED_BUILD
  // The installed SDK is instrumented: the test program must be too, to load it.
  const std::string flags = " -DCMAKE_CXX_FLAGS=-fsanitize=address,undefined";
#else
  const std::string flags;
#endif
  const std::string build_and_test =
      "cmake -S " + source.string() + " -B " + build.string() +
      " -DCMAKE_PREFIX_PATH=" + prefix.string() + flags + " && cmake --build " + build.string() +
      " && ctest --output-on-failure " + "--test-dir " + build.string();
  Output passed = shell(build_and_test);
  ASSERT_EQ(passed.status, 0) << passed.out;
  EXPECT_THAT(passed.out, HasSubstr("100% tests passed"));

  const std::string right = "dx[i] = 2 * factor_ * x[i] * dy[i]";
  ASSERT_NE(layer.find(right), std::string::npos);
  layer.replace(layer.find(right), right.size(), "dx[i] = factor_ * x[i] * dy[i]");
  std::ofstream(source / "square.cpp") << layer;
  Output failed = shell(build_and_test);
  EXPECT_NE(failed.status, 0) << failed.out;
  EXPECT_THAT(failed.out, HasSubstr("input 0 element"));
  EXPECT_THAT(failed.out, Not(HasSubstr("where the reference gives")));  // forward still right
}

// A fresh install predicts with every shipped model by name, with no training and no source
// tree: the models come from <prefix>/share/ferlab/models.
TEST(Installed, PredictsWithEveryShippedModelByName) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(FERLAB_SOURCE_DIR "/models"))
    if (entry.path().extension() == ".ferlab") names.push_back(entry.path().stem().string());
  ASSERT_FALSE(names.empty()) << "models/ holds no shipped model";
  const ferlab::testing_support::TempDir temp_work("installed");
  const fs::path work = temp_work.path();
  const fs::path prefix = work / "prefix";
  ASSERT_NO_FATAL_FAILURE(install_into(prefix));
  const std::string ferlab = "env -u FERLAB_MODEL_PATH " + (prefix / "bin" / "ferlab").string();
  Output listed = shell(ferlab + " models");
  ASSERT_EQ(listed.status, 0) << listed.out;
  // A face-sized gray image; whichever class it gets, the line must be complete.
  const fs::path image = work / "face.pgm";
  {
    std::ofstream pgm(image, std::ios::binary);
    pgm << "P5 48 48 255\n";
    for (int i = 0; i < 48 * 48; ++i) pgm.put(static_cast<char>((i * 7) % 256));
  }
  for (const std::string& name : names) {
    EXPECT_THAT(listed.out, HasSubstr(name));
    EXPECT_THAT(listed.out,
                HasSubstr((prefix / "share/ferlab/models" / (name + ".ferlab")).string()));
    Output predicted = ferlab::testing_support::run_command(
        ferlab + " predict --threads 1 --whole-image --model " + name + " " + image.string(),
        false);
    ASSERT_EQ(predicted.status, 0) << predicted.err;
    const auto line = nlohmann::json::parse(predicted.out.substr(0, predicted.out.find('\n')));
    EXPECT_EQ(line.at("mode"), "whole-image") << name;
    EXPECT_EQ(line.at("probabilities").size(), 7u) << name;
    double sum = 0;
    for (const auto& [cls, p] : line.at("probabilities").items()) sum += p.get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-4) << name;
  }
}
