// A halving search split over shards, each with a database of its own (as Slurm's array tasks
// are): each shard trains its trials as far as the decided rungs allow and stops; run again,
// the shards decide each rung on all shards' trials, and the merged databases hold what one
// process records for the same search, bit for bit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "../support/process.hpp"
#include "../support/recorded_results.hpp"
#include "../support/specs.hpp"
#include "../support/temp_dir.hpp"

using ferlab::testing_support::run_command;
using testing::HasSubstr;

namespace {

std::string cli(const std::string& args) {
  return std::string(FERLAB_CLI) + " " + args + " --threads 1 --cache off";
}

}  // namespace

TEST(ShardedHalving, ShardsDecideEachRungTogetherAndMatchOneProcess) {
  const ferlab::testing_support::TempDir dir("sharded-halving");
  const std::string spec = (dir.path() / "spec.yaml").string();
  std::ofstream(spec) << ferlab::testing_support::tiny_halving_spec("sharded-halving");
  const std::string one = (dir.path() / "one.db").string();
  const auto alone = run_command(cli("run " + spec + " --db " + one));
  ASSERT_EQ(alone.status, 0) << alone.out;

  const std::string shard[2] = {(dir.path() / "shard-0.db").string(),
                                (dir.path() / "shard-1.db").string()};
  const std::string peers = " --peer " + shard[0] + " --peer " + shard[1];
  int waits = 0, rounds = 0;
  for (bool decided = false; !decided && rounds < 6; ++rounds) {
    decided = true;
    for (int i = 0; i < 2; ++i) {
      const auto part = run_command(cli("run " + spec + " --db " + shard[i] + " --shard " +
                                        std::to_string(i) + "/2 --resume" + peers));
      ASSERT_EQ(part.status, 0) << part.out;  // waiting for the other shard is no failure
      if (part.out.find("is not decided yet") != std::string::npos) {
        decided = false;
        ++waits;
      }
    }
  }
  // Shard 0 waits for shard 1's first rung, then each waits for the other's rung 2 trials.
  EXPECT_GT(waits, 0);
  EXPECT_LE(rounds, 4);

  const std::string merged = (dir.path() / "merged.db").string();
  const auto merge = run_command(std::string(FERLAB_CLI) + " db merge " + merged + " " + shard[0] +
                                 " " + shard[1]);
  ASSERT_EQ(merge.status, 0) << merge.out;
  const std::string expected = ferlab::testing_support::recorded_results(one, false);
  EXPECT_THAT(expected, HasSubstr("|finished|"));
  EXPECT_EQ(ferlab::testing_support::recorded_results(merged, false), expected);
}

TEST(ShardedHalving, ShardsWithoutPeersAreRefusedBeforeAnyWork) {
  const ferlab::testing_support::TempDir dir("sharded-halving-refused");
  const std::string spec = (dir.path() / "spec.yaml").string();
  std::ofstream(spec) << ferlab::testing_support::tiny_halving_spec("refused");
  const auto part =
      run_command(cli("run " + spec + " --db " + (dir.path() / "s.db").string() + " --shard 0/2"));
  EXPECT_NE(part.status, 0);
  EXPECT_THAT(part.out, HasSubstr("--peer"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "s.db.snapshot"));
}
