// fer2013's CSV reader on hostile files: a row with too many pixels, an endless line, millions
// of empty rows and a file larger than the limit are errors naming the file, the line and the
// limit (fer2013_csv.hpp), refused before memory grows with them.
#include <gmock/gmock.h>

#include "../../plugins/datasets/fer2013/fer2013_csv.hpp"
#include "file_fixtures.hpp"
#include "plugin_fixture.hpp"

namespace ferlab::test {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

std::string row(int pixels, const std::string& usage = "Training") {
  std::string out = "3,";
  for (int i = 0; i < pixels; ++i) out.append(i ? " " : "").append(std::to_string(i % 256));
  return out + "," + usage + "\n";
}

std::string load_error(const fs::path& path) {
  RecordingEvents events;
  try {
    make<Dataset>("fer2013", {{"path", path.string()}})->load(events);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Fer2013CsvLimits, ARowWithMorePixelsThanAFaceIsAnErrorNamingItsLine) {
  TempDir dir;
  write_text(dir.path() / "long-row.csv", "emotion,pixels,Usage\n" + row(2304) + row(2305));
  EXPECT_THAT(load_error(dir.path() / "long-row.csv"),
              HasSubstr("long-row.csv line 3: more than 2304 pixel values"));
}

TEST(Fer2013CsvLimits, AnEndlessLineIsRefusedNamingItsLineAndTheLimit) {
  TempDir dir;
  write_text(dir.path() / "endless.csv",
             "emotion,pixels,Usage\n" + row(2304) + "3," + std::string(100'000, '1') + "\n");
  EXPECT_THAT(load_error(dir.path() / "endless.csv"),
              HasSubstr("endless.csv line 3: longer than 65536 bytes (the limit on a line"));
}

TEST(Fer2013CsvLimits, MillionsOfRowsAreRefusedBeforeParsingThem) {
  TempDir dir;
  write_text(dir.path() / "rows.csv",
             "emotion,pixels,Usage\n" + std::string(fer2013::CsvLimits::rows + 1, '\n'));
  EXPECT_THAT(load_error(dir.path() / "rows.csv"),
              HasSubstr("rows.csv: more than 1000000 rows (the limit on rows"));
}

TEST(Fer2013CsvLimits, AFileLargerThanTheLimitIsRefusedBeforeReading) {
  TempDir dir;
  fs::path file = dir.path() / "huge.csv";
  write_text(file, "emotion,pixels,Usage\n");
  fs::resize_file(file, fer2013::CsvLimits::file_bytes + 1);  // sparse: nothing is written
  EXPECT_THAT(load_error(file), HasSubstr("huge.csv is 1073741825 bytes, more than 1073741824 "
                                          "(the limit on the CSV's size"));
}

}  // namespace
}  // namespace ferlab::test
