// The data plugins as the kernel sees them: all load, and every parameter is documented and
// has a default (except where the files are), so `clahe: {}` in a spec is always valid.
#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

const std::map<Kind, std::vector<std::string>> kExpected = {
    {Kind::dataset, {"synthetic-faces", "image-folder", "fer2013"}},
    {Kind::preprocessor,
     {"grayscale", "resize", "face-crop", "align", "hist-eq", "clahe", "denoise", "sharpen",
      "normalize", "center-crop"}},
    {Kind::augmenter,
     {"hflip", "rotate", "affine", "random-crop", "photometric", "gaussian-noise", "blur",
      "random-erasing"}},
};

TEST(DataPlugins, AllLoadWithDocumentedDefaultedParameters) {
  for (const std::string& error : loaded().diagnostics.errors) {
    for (const char* ours :
         {"libferlab-dataset-", "libferlab-preprocessor-", "libferlab-augmenter-"})
      if (error.find(ours) != std::string::npos) ADD_FAILURE() << error;
  }
  for (const auto& [kind, names] : kExpected) {
    for (const std::string& name : names) {
      const kernel::PluginInfo* info = loaded().catalog.find(kind, name);
      ASSERT_NE(info, nullptr) << to_string(kind) << " " << name;
      EXPECT_FALSE(info->factory.doc.empty()) << name;
      for (const ParamSpec& spec : info->factory.schema) {
        bool location = spec.name == "root" || spec.name == "path";  // where the files are
        EXPECT_NE(spec.required(), !location) << name << "." << spec.name;
        EXPECT_FALSE(spec.doc.empty()) << name << "." << spec.name;
      }
    }
  }
}

TEST(DataPlugins, EachCanBeCreatedFromItsDefaults) {
  EXPECT_NE(make<Dataset>("synthetic-faces"), nullptr);
  EXPECT_NE(make<Dataset>("image-folder", {{"root", "/data"}}), nullptr);
  EXPECT_NE(make<Dataset>("fer2013", {{"path", "/data/fer2013.csv"}}), nullptr);
  for (const std::string& name : kExpected.at(Kind::preprocessor))
    EXPECT_NE(make<Preprocessor>(name), nullptr) << name;
  for (const std::string& name : kExpected.at(Kind::augmenter))
    EXPECT_NE(make<Augmenter>(name), nullptr) << name;
}

TEST(DataPlugins, DefaultChainsKeepImagesEightBit) {
  cv::Mat image(48, 48, CV_8UC1);
  cv::randu(image, 0, 256);
  RecordingEvents events;
  for (const std::string& name : kExpected.at(Kind::preprocessor)) {
    cv::Mat out = make<Preprocessor>(name)->apply(image, events);
    EXPECT_EQ(out.depth(), CV_8U) << name;
    EXPECT_FALSE(out.empty()) << name;
  }
  Rng rng(1);
  for (const std::string& name : kExpected.at(Kind::augmenter)) {
    cv::Mat out = image;
    make<Augmenter>(name)->apply(out, rng);
    EXPECT_EQ(out.type(), CV_8UC1) << name;
  }
}

}  // namespace
}  // namespace ferlab::test
