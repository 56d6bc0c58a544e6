// Where Haar cascades are found: FERLAB_CASCADE_PATH first, then the folder found at build
// time; a missing one is named with every folder searched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ferlab/cascades.hpp>
#include <filesystem>

#include "../support/temp_dir.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

TEST(Cascades, TheEnvironmentsFoldersComeFirstThenTheBuildsOne) {
  const ferlab::testing_support::TempDir temp_dir("cascades");
  const fs::path dir = temp_dir.path();
  const std::string name = "haarcascade_frontalface_default.xml";
  const std::string installed = ferlab::cascades::locate(name);  // the build's folder
  ASSERT_TRUE(fs::exists(installed));
  fs::copy_file(installed, dir / name, fs::copy_options::overwrite_existing);
  setenv("FERLAB_CASCADE_PATH", ("/nonexistent:" + dir.string()).c_str(), 1);
  EXPECT_EQ(ferlab::cascades::locate(name), (dir / name).string());
  EXPECT_EQ(ferlab::cascades::locate("/some/where/x.xml"), "/some/where/x.xml");  // a path as is
  try {
    ferlab::cascades::locate("haarcascade_nothing.xml");
    ADD_FAILURE() << "found a cascade that does not exist";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent, " + dir.string() + ", "));
    EXPECT_THAT(e.what(), HasSubstr("FERLAB_CASCADE_PATH"));
  }
  unsetenv("FERLAB_CASCADE_PATH");
  EXPECT_EQ(ferlab::cascades::locate(name), installed);
}
