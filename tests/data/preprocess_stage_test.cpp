// The preprocessing stage of a run: an image the step cannot handle is skipped and counted,
// naming the sample, instead of failing the whole stage.
#include <gmock/gmock.h>

#include "assembly/data_stages.hpp"
#include "file_fixtures.hpp"
#include "plugin_fixture.hpp"
#include "run/event_log.hpp"

namespace ferlab::test {
namespace {

spec::PluginCall call(const std::string& name, const std::map<std::string, Value>& overrides) {
  return {name, "", params_for(Kind::preprocessor, name, overrides), {}};
}

TEST(PreprocessStage, SkipsAndCountsTheImageAStepFailsOn) {
  DatasetContents input{{"a", "b"}, {}};
  for (int i = 0; i < 6; ++i)
    input.splits["train"].push_back({random_image(i, 20), i % 2, std::to_string(i)});
  input.splits["train"][3].image = random_image(3, 12);  // too small for a 16-pixel crop
  input.splits["test"] = {{random_image(9, 20), 1, "x"}};
  run::EventLog events;
  DatasetContents out = assembly::preprocess(
      loaded().catalog, call("center-crop", {{"size", Value(std::int64_t{16})}}), input, events);
  ASSERT_EQ(out.splits.at("train").size(), 5u);
  for (const Sample& s : out.splits.at("train")) {
    EXPECT_NE(s.id, "3");
    EXPECT_EQ(s.image.size(), cv::Size(16, 16));
  }
  EXPECT_EQ(out.splits.at("train")[3].id, "4");  // order kept
  EXPECT_EQ(out.splits.at("test").size(), 1u);
  const auto entries = events.entries();
  ASSERT_EQ(entries.count("preprocess-failed"), 1u);
  EXPECT_EQ(entries.at("preprocess-failed").count, 1);
  EXPECT_THAT(entries.at("preprocess-failed").first_message,
              testing::AllOf(testing::HasSubstr("sample '3'"), testing::HasSubstr("center-crop"),
                             testing::HasSubstr("12x12")));
}

TEST(PreprocessStage, FailingOnAWholeSplitFailsTheStage) {
  DatasetContents input{
      {"a"},
      {{"train", {{random_image(1, 20), 0, "ok"}}}, {"val", {{random_image(2, 8), 0, "small"}}}}};
  run::EventLog events;
  try {
    assembly::preprocess(loaded().catalog, call("center-crop", {{"size", Value(std::int64_t{16})}}),
                         input, events);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("every image of split 'val'"));
  }
}

}  // namespace
}  // namespace ferlab::test
