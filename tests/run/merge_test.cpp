// A sharded sweep written to two databases, merged into one with `ferlab db merge`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/process.hpp"
#include "../support/specs.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using ferlab::testing_support::run_command;
using testing::HasSubstr;

namespace {

std::int64_t scalar(const std::string& db, const std::string& sql) {
  Database d(db, false);
  Statement s(d, sql);
  return s.step() ? s.integer(0) : -1;
}

std::string cli(const std::string& args) { return std::string(FERLAB_CLI) + " " + args + " 2>&1"; }

}  // namespace

TEST(DbMerge, ShardsMergeIntoOneDatabaseWithoutDuplicates) {
  const ferlab::testing_support::TempDir temp_dir("merge");
  const fs::path dir = temp_dir.path();
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  const fs::path spec = dir / "sweep.yaml";
  std::ofstream(spec) << ferlab::testing_support::tiny_sweep_spec("sharded", 1);
  const std::string a = (dir / "a" / "runs.db").string(), b = (dir / "b" / "runs.db").string(),
                    a_finished = (dir / "a" / "copy.db").string(),
                    out = (dir / "merged.db").string();
  for (const auto& [shard, db] : {std::pair{"0/2", a}, std::pair{"1/2", b}})
    ASSERT_EQ(
        run_command(cli("run " + spec.string() + " --threads 1 --shard " + shard + " --db " + db))
            .status,
        0);
  ASSERT_EQ(scalar(a, "SELECT count(*) FROM runs"), 2);
  ASSERT_EQ(scalar(b, "SELECT count(*) FROM runs"), 2);
  // Shard a's first run looks unfinished here; a finished copy of it comes later.
  fs::copy_file(a, a_finished);
  {
    Database d(a, false);
    d.exec("UPDATE runs SET status = 'interrupted' WHERE id = 1");
  }
  auto merged = run_command(cli("db merge " + out + " " + a + " " + b));
  ASSERT_EQ(merged.status, 0) << merged.out;
  EXPECT_THAT(merged.out, HasSubstr(a + ": 2 runs added"));
  auto again = run_command(cli("db merge " + out + " " + a_finished + " " + b));
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr(a_finished + ": 0 runs added, 1 unfinished runs replaced by "
                                                "finished ones, 1 already there"));
  EXPECT_THAT(again.out, HasSubstr(b + ": 0 runs added, 0 unfinished runs replaced by finished "
                                       "ones, 2 already there"));

  {
    Database d(out, false);
    Statement check(d, "PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_EQ(check.text(0), "ok");
  }
  EXPECT_EQ(scalar(out, "SELECT count(*) FROM runs WHERE status = 'finished'"), 4);
  EXPECT_EQ(scalar(out, "SELECT count(*) FROM (SELECT DISTINCT variant, seed FROM runs)"), 4);
  EXPECT_EQ(scalar(out, "SELECT count(*) FROM experiments"), 1);
  EXPECT_EQ(scalar(out, "SELECT count(*) FROM epochs"), 4 * 2);
  const std::int64_t predictions =
      scalar(a, "SELECT count(*) FROM predictions") + scalar(b, "SELECT count(*) FROM predictions");
  EXPECT_EQ(scalar(out, "SELECT count(*) FROM predictions"), predictions);
  EXPECT_EQ(scalar(out, "SELECT count(*) FROM params"),
            scalar(a, "SELECT count(*) FROM params") + scalar(b, "SELECT count(*) FROM params"));
  EXPECT_EQ(scalar(out, "SELECT count(*) FROM metrics WHERE run_id NOT IN (SELECT id FROM runs)"),
            0);
  // Checkpoint paths now lead from the merged database's directory to the files.
  {
    Database d(out, false);
    Statement s(d, "SELECT path FROM artifacts WHERE kind = 'checkpoint'");
    int files = 0;
    while (s.step()) {
      EXPECT_TRUE(fs::exists(dir / s.text(0))) << s.text(0);
      ++files;
    }
    EXPECT_EQ(files, 4 * 2);
  }
  auto listing = run_command(cli("runs --db " + out + " --experiment sharded"));
  ASSERT_EQ(listing.status, 0) << listing.out;
  int finished = 0;
  for (size_t at = listing.out.find("finished"); at != std::string::npos;
       at = listing.out.find("finished", at + 1))
    ++finished;
  EXPECT_EQ(finished, 4) << listing.out;
}
