// Sweeps on a real Slurm: each test starts a one-node cluster of its own with
// scripts/slurm-local (munged, slurmctld, slurmd; ports from the test's pid, so tests running
// side by side do not meet), submits with `ferlab slurm --submit`, and compares the merged
// database with one local `ferlab run` of the same spec, bit for bit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "../support/files.hpp"
#include "../support/process.hpp"
#include "../support/recorded_results.hpp"
#include "../support/specs.hpp"
#include "../support/temp_dir.hpp"
#include "storage/sqlite.hpp"

namespace fs = std::filesystem;
using ferlab::storage::Database;
using ferlab::storage::Statement;
using ferlab::testing_support::run_command;
using testing::HasSubstr;

namespace {

std::string cli(const std::string& args) { return std::string(FERLAB_CLI) + " " + args; }

std::int64_t count(const fs::path& db, const std::string& sql) {
  Database d(db.string(), false);
  Statement s(d, sql);
  return s.step() ? s.integer(0) : -1;
}

class SlurmSweep : public testing::Test {
 protected:
  void SetUp() override {
    for (const char* program : {"slurmctld", "slurmd", "munged", "sbatch"})
      ASSERT_EQ(run_command(std::string("command -v ") + program).status, 0)
          << program << " is missing: install Debian's slurm-wlm and munge (scripts/deps does)";
    const int base = 20000 + static_cast<int>(::getpid() % 20000) / 2 * 2;
    const std::string ports = "FERLAB_SLURMCTLD_PORT=" + std::to_string(base) +
                              " FERLAB_SLURMD_PORT=" + std::to_string(base + 1) + " ";
    auto started =
        run_command(ports + FERLAB_SOURCE_DIR "/scripts/slurm-local start " + cluster_.string());
    ASSERT_EQ(started.status, 0) << started.out;
    ::setenv("SLURM_CONF", (cluster_ / "slurm.conf").c_str(), 1);
  }
  void TearDown() override {
    run_command(FERLAB_SOURCE_DIR "/scripts/slurm-local stop " + cluster_.string());
  }

  // Submits the spec as a job array (once per rung of a halving search) and its merge job;
  // returns their ids, the array's comma-separated ({} on failure).
  std::pair<std::string, std::string> submit(const fs::path& spec, const fs::path& out,
                                             const std::string& extra = "") {
    auto submitted = run_command(cli("slurm " + spec.string() + " --out " + out.string() +
                                     " --cpus-per-task 1 --submit" + extra));
    EXPECT_EQ(submitted.status, 0) << submitted.out;
    std::smatch m;
    if (!std::regex_search(
            submitted.out, m,
            std::regex("submitted job array ([\\d,]+)[^\\n]* and merge job (\\d+)"))) {
      ADD_FAILURE() << submitted.out;
      return {};
    }
    return {m[1], m[2]};
  }

  // The same, returning once both jobs have left the queue.
  std::pair<std::string, std::string> submit_and_wait(const fs::path& spec, const fs::path& out,
                                                      const std::string& extra = "") {
    auto ids = submit(spec, out, extra);
    if (!ids.first.empty()) wait_for(ids.first + "," + ids.second);
    return ids;
  }

  // Until none of these jobs is pending or running (at most 5 minutes).
  static void wait_for(const std::string& jobs) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (std::chrono::steady_clock::now() < limit) {
      auto queue = run_command("squeue -h -o %i -j " + jobs, false);
      if (queue.status == 0 && queue.out.find_first_not_of(" \n") == std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    ADD_FAILURE() << "jobs " << jobs << " still queued after 5 minutes";
  }

  // The merged database holds what one local `ferlab run --threads 1` of the spec records.
  void expect_figures_of_one_local_run(const fs::path& spec, const fs::path& merged) {
    const fs::path local = dir_ / (spec.stem().string() + "-local.db");
    auto straight =
        run_command(cli("run " + spec.string() + " --threads 1 --db " + local.string()));
    ASSERT_EQ(straight.status, 0) << straight.out;
    const std::string expected = ferlab::testing_support::recorded_results(local.string(), false);
    EXPECT_GT(expected.size(), 100u);
    EXPECT_EQ(ferlab::testing_support::recorded_results(merged.string(), false), expected);
  }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  const ferlab::testing_support::TempDir temp_{"slurm"};
  const fs::path dir_ = temp_.path();
  const fs::path cluster_ = dir_ / "cluster";
};

// 2 variants x 2 seeds: a 4-task array, one run each, then the merge job.
TEST_F(SlurmSweep, ArrayOfShardsMergesIntoTheFiguresOfOneLocalRun) {
  const fs::path spec =
      write("sweep.yaml", ferlab::testing_support::tiny_sweep_spec("slurm-sweep", 2));
  const fs::path out = dir_ / "sweep";
  submit_and_wait(spec, out);
  const std::string script = ferlab::testing_support::file_text(out / "sweep.sbatch");
  EXPECT_THAT(script, HasSubstr("#SBATCH --array=0-3"));
  EXPECT_THAT(script, HasSubstr("--shard \"$task/4\""));
  for (int task = 0; task < 4; ++task)
    EXPECT_EQ(count(out / ("shard-" + std::to_string(task) + ".db"), "SELECT count(*) FROM runs"),
              1)
        << "task " << task;
  ASSERT_TRUE(fs::exists(out / "runs.db")) << "the merge job did not run: see " << out / "logs";
  EXPECT_TRUE(fs::exists(out / "report.html"));
  EXPECT_EQ(count(out / "runs.db", "SELECT count(*) FROM runs WHERE status = 'finished'"), 4);
  EXPECT_EQ(count(out / "runs.db", "SELECT count(*) FROM runs WHERE host IS NULL"), 0);

  expect_figures_of_one_local_run(spec, out / "runs.db");
}

// A task is cancelled (SIGTERM, as at a time limit) once it has recorded an epoch; submitting
// again finishes it, and the figures are those of an uninterrupted local run.
TEST_F(SlurmSweep, CancelledTaskFinishesWhenSubmittedAgainWithTheSameFigures) {
  const fs::path spec =
      write("longer.yaml", ferlab::testing_support::resumable_spec(
                               "slurm-cancel", 8, "sweep:\n  train.optimizer.lr: [0.01, 0.02]\n"));
  const fs::path out = dir_ / "cancel";
  const auto [array, merge] = submit(spec, out);
  ASSERT_FALSE(array.empty());
  // Task 1 is cancelled once it has finished an epoch (but not its run).
  const fs::path shard = out / "shard-1.db";
  const auto limit = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  auto has_an_epoch = [&shard] {
    try {  // the task may not have created its tables yet
      return fs::exists(shard) && count(shard, "SELECT count(*) FROM epochs") > 0;
    } catch (const std::exception&) {
      return false;
    }
  };
  while (std::chrono::steady_clock::now() < limit && !has_an_epoch())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_GT(count(shard, "SELECT count(*) FROM epochs"), 0) << "task 1 never recorded an epoch";
  ASSERT_EQ(run_command("scancel " + array + "_1").status, 0);
  wait_for(array + "," + merge);
  EXPECT_EQ(count(shard, "SELECT count(*) FROM runs WHERE status = 'interrupted'"), 1);
  EXPECT_EQ(count(out / "runs.db", "SELECT count(*) FROM runs WHERE status = 'finished'"), 1);

  submit_and_wait(spec, out);
  EXPECT_EQ(count(shard, "SELECT count(*) FROM runs WHERE status = 'finished'"), 1);
  EXPECT_EQ(count(out / "runs.db", "SELECT count(*) FROM runs"), 2);
  expect_figures_of_one_local_run(spec, out / "runs.db");
}

}  // namespace

// --ranks 2: the array task is an MPI job of 2 Slurm tasks (mpirun inside the allocation), and
// its run is trained data-parallel by them.
TEST_F(SlurmSweep, RanksMakeEachTaskAnMpiJobTrainingItsRunsDataParallel) {
  // sbatch passes this environment on: mpirun refuses root without it, and the MPI library's
  // allocations outlive MPI_Finalize (LeakSanitizer would report them).
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
#ifdef FERLAB_SANITIZED_BUILD
  ::setenv("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=0", 1);
#endif
  // One run: one learning rate, one seed.
  const fs::path spec =
      write("one.yaml", ferlab::testing_support::tiny_sweep_spec("slurm-ranks", 2));
  const fs::path out = dir_ / "ranks";
  submit_and_wait(spec, out,
                  " --ranks 2 --set 'sweep={train.optimizer.lr: [0.001]}' --set 'seeds=[1]'");
  const std::string script = ferlab::testing_support::file_text(out / "sweep.sbatch");
  EXPECT_THAT(script, HasSubstr("#SBATCH --ntasks=2"));
  EXPECT_THAT(script, HasSubstr("mpirun -np \"$SLURM_NTASKS\""));
  ASSERT_TRUE(fs::exists(out / "runs.db")) << "the merge job did not run: see " << out / "logs";
  EXPECT_EQ(count(out / "runs.db", "SELECT count(*) FROM runs WHERE status = 'finished'"), 1);
  EXPECT_EQ(count(out / "runs.db",
                  "SELECT count(*) FROM params WHERE key = 'train.processes' AND value = '2'"),
            1);
}

// A halving search (9 trials, 3 rungs) as 3 array tasks: the array is submitted once per rung,
// every task names all shard databases, and the merged database holds what one local process
// records for the same search, bit for bit.
TEST_F(SlurmSweep, HalvingSearchDecidesEachRungOnAllTasksTrialsAsOneProcessDoes) {
  const fs::path spec =
      write("halving.yaml", ferlab::testing_support::tiny_halving_spec("slurm-halving"));
  const fs::path out = dir_ / "halving";
  const auto [arrays, merge] = submit_and_wait(spec, out, " --tasks 3");
  EXPECT_EQ(std::count(arrays.begin(), arrays.end(), ','), 2) << arrays;  // 3 rungs
  const std::string script = ferlab::testing_support::file_text(out / "sweep.sbatch");
  for (int task = 0; task < 3; ++task)
    EXPECT_THAT(script,
                HasSubstr("--peer " + (out / ("shard-" + std::to_string(task) + ".db")).string()));
  ASSERT_TRUE(fs::exists(out / "runs.db")) << "the merge job did not run: see " << out / "logs";
  EXPECT_EQ(count(out / "runs.db", "SELECT count(*) FROM runs WHERE status = 'finished'"), 1);

  expect_figures_of_one_local_run(spec, out / "runs.db");
}
