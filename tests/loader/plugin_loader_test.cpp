// The plugin loader: accepts a good plugin, refuses another ABI and duplicate names with
// messages naming the files, skips libraries that are not plugins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ferlab/abi.hpp>
#include <ferlab/augmenter.hpp>
#include <ferlab/preprocessor.hpp>
#include <filesystem>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "loader/plugin_catalog.hpp"

using namespace ferlab;
using kernel::LoadDiagnostics;
using kernel::PluginCatalog;
using testing::HasSubstr;

namespace {

namespace fs = std::filesystem;
const std::string fixtures = FERLAB_BINARY_DIR "/tests/fixtures";

class SilentEvents : public EventSink {
 public:
  void warn(const std::string&, const std::string&) override {}
  void count(const std::string&, long) override {}
};

}  // namespace

TEST(PluginLoader, LoadsAGoodPluginAndCreatesWorkingObjects) {
  LoadDiagnostics d;
  PluginCatalog catalog = PluginCatalog::load({fixtures + "/good"}, d);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_TRUE(d.warnings.empty());
  const kernel::PluginInfo* info = catalog.find(Kind::preprocessor, "fixture-invert");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->library->name, "fixture-good");
  EXPECT_EQ(info->library->version, "1.2.3");
  EXPECT_THAT(info->library->file.string(), HasSubstr("good/libfixture_good.so"));
  ASSERT_NE(catalog.find(Kind::augmenter, "fixture-add"), nullptr);

  auto invert = catalog.create<Preprocessor>("fixture-invert", Params());
  cv::Mat image(2, 2, CV_8UC1, cv::Scalar(10));
  SilentEvents events;
  cv::Mat out = invert->apply(image, events);
  EXPECT_EQ(out.at<uchar>(1, 1), 245);
}

TEST(PluginLoader, ObjectsKeepTheirLibraryLoadedAfterTheCatalogIsGone) {
  std::shared_ptr<Augmenter> add;
  {
    LoadDiagnostics d;
    PluginCatalog catalog = PluginCatalog::load({fixtures + "/good"}, d);
    add = catalog.create<Augmenter>("fixture-add", Params({{"max", std::int64_t{0}}}));
  }
  // The catalog and its handles are destroyed; the object's code must still be mapped.
  cv::Mat image(1, 1, CV_8UC1, cv::Scalar(7));
  Rng rng(1);
  add->apply(image, rng);
  EXPECT_EQ(image.at<uchar>(0, 0), 7);
  add.reset();  // unloading after the last object goes away must not crash either
}

TEST(PluginLoader, RefusesAnotherAbiVersionNamingFileAndVersions) {
  LoadDiagnostics d;
  PluginCatalog catalog = PluginCatalog::load({fixtures + "/wrong_abi"}, d);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_THAT(d.errors[0], HasSubstr("wrong_abi/libfixture_wrong_abi.so"));
  // The fixture claims FERLAB_ABI_VERSION + 41.
  EXPECT_THAT(d.errors[0], HasSubstr("built for ferlab plugin ABI version " +
                                     std::to_string(FERLAB_ABI_VERSION + 41)));
  EXPECT_THAT(d.errors[0], HasSubstr("expects version " + std::to_string(FERLAB_ABI_VERSION)));
  EXPECT_TRUE(catalog.all().empty());
}

// A name already loaded skips the newcomer with a warning (not an error: other commands go on)
// naming both files and saying how to resolve it; the first registration stays in force.
TEST(PluginLoader, SkipsALibraryReusingALoadedNameNamingBothFiles) {
  LoadDiagnostics d;
  PluginCatalog catalog = PluginCatalog::load({fixtures + "/good", fixtures + "/duplicate"}, d);
  EXPECT_TRUE(d.errors.empty());
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_THAT(d.warnings[0], HasSubstr("duplicate/libfixture_duplicate.so: skipped"));
  EXPECT_THAT(d.warnings[0], HasSubstr("good/libfixture_good.so provides it and stays in force"));
  EXPECT_THAT(d.warnings[0], HasSubstr("duplicate preprocessor plugin name 'fixture-invert'"));
  EXPECT_THAT(d.warnings[0], HasSubstr("rename the plugin"));
  EXPECT_EQ(catalog.find(Kind::preprocessor, "fixture-invert")->library->name, "fixture-good");
}

// A copy of a built-in library on --plugin-path (an installed plugin's build folder kept there)
// once loaded first and disabled the built-in library, failing every command: now the built-in
// stays and the command runs.
TEST(PluginLoader, ACopyOfABuiltInOnThePluginPathLeavesTheBuiltInInForce) {
  const ferlab::testing_support::TempDir temp_dir("copy");
  const fs::path dir = temp_dir.path();
  const fs::path builtin = FERLAB_BINARY_DIR "/lib/ferlab/plugins/libferlab-layer-activations.so";
  ASSERT_TRUE(fs::exists(builtin)) << builtin;
  fs::copy_file(builtin, dir / "libferlab-layer-activations.so",
                fs::copy_options::overwrite_existing);
  const auto r = ferlab::testing_support::run_command(
      std::string(FERLAB_CLI) + " --plugin-path " + dir.string() + " check " +
          FERLAB_SOURCE_DIR "/experiments/quickstart.yaml",
      false);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr((dir / "libferlab-layer-activations.so").string() + ": skipped"));
  EXPECT_THAT(r.err, HasSubstr(builtin.string() + " provides it and stays in force"));
}

TEST(PluginLoader, SkipsALibraryThatIsNotAPluginWithAWarning) {
  LoadDiagnostics d;
  PluginCatalog catalog = PluginCatalog::load({fixtures + "/not_a_plugin"}, d);
  EXPECT_TRUE(d.errors.empty());
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_THAT(d.warnings[0], HasSubstr("libfixture_not_a_plugin.so: skipped, not a ferlab plugin"));
}

TEST(PluginLoader, LoadsTheSameFileOnlyOnceWhenTwoSearchDirsReachIt) {
  LoadDiagnostics d;
  PluginCatalog catalog =
      PluginCatalog::load({fixtures + "/good", fixtures + "/../fixtures/good"}, d);
  EXPECT_TRUE(d.errors.empty()) << d.errors[0];
  EXPECT_EQ(catalog.libraries().size(), 1u);
}

TEST(PluginLoader, SearchPathPutsTheBuiltInsThenCommandLineThenEnvironment) {
  setenv("FERLAB_PLUGIN_PATH", "/env/a:/env/b", 1);
  auto dirs = kernel::plugin_search_path({"/cli"});
  unsetenv("FERLAB_PLUGIN_PATH");
  ASSERT_EQ(dirs.size(), 4u);
  EXPECT_THAT(dirs[0].string(), HasSubstr("lib/ferlab/plugins"));
  EXPECT_EQ(dirs[1], "/cli");
  EXPECT_EQ(dirs[2], "/env/a");
  EXPECT_EQ(dirs[3], "/env/b");
}

TEST(PluginLoader, UnknownNameErrorListsKnownOnes) {
  LoadDiagnostics d;
  PluginCatalog catalog = PluginCatalog::load({fixtures + "/good"}, d);
  try {
    catalog.require(Kind::preprocessor, "fixture-invrt");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "unknown preprocessor plugin 'fixture-invrt' (did you mean 'fixture-invert'?) "
                 "(known: fixture-invert; plugins outside ferlab's own folder are found with "
                 "--plugin-path DIR or FERLAB_PLUGIN_PATH)");
  }
}
