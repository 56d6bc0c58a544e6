// A run whose process died is marked interrupted once noticed: by an old heartbeat, or by its
// process being gone from this host. A live one is left alone.
#include "storage/stale_runs.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "../support/temp_dir.hpp"
#include "storage/run_store.hpp"

namespace fs = std::filesystem;
using namespace ferlab::storage;

namespace {

// The id of a process that has exited (and been reaped).
std::int64_t dead_pid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

std::string status(Database& db, std::int64_t run) {
  Statement s(db, "SELECT status FROM runs WHERE id = ?");
  s.bind(1, run);
  return s.step() ? s.text(0) : "";
}

}  // namespace

TEST(StaleRuns, DeadOrSilentRunsBecomeInterruptedLiveOnesStayRunning) {
  const ferlab::testing_support::TempDir temp_dir("stale");
  const fs::path dir = temp_dir.path();
  const std::string path = (dir / "runs.db").string();
  std::int64_t silent, dead, alive, elsewhere;
  {
    RunStore store(path);
    RunInfo info;
    info.experiment = "e";
    info.host = host_name();
    info.pid = getpid();
    alive = store.begin_run(info, {});
    silent = store.begin_run(info, {});
    info.pid = dead_pid();
    dead = store.begin_run(info, {});
    info.host = "another-machine";  // a pid there says nothing here
    elsewhere = store.begin_run(info, {});
    store.database().exec(
        "UPDATE runs SET heartbeat = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-11 minutes') "
        "WHERE id = " +
        std::to_string(silent));
  }
  Database db(path, false);
  EXPECT_EQ(mark_stale_runs(db, host_name(), stale_after, process_alive), 2);
  EXPECT_EQ(status(db, alive), "running");
  EXPECT_EQ(status(db, silent), "interrupted");
  EXPECT_EQ(status(db, dead), "interrupted");
  EXPECT_EQ(status(db, elsewhere), "running");
  Statement why(db, "SELECT error, ended IS NOT NULL FROM runs WHERE id = ?");
  why.bind(1, dead);
  ASSERT_TRUE(why.step());
  EXPECT_NE(why.text(0).find("is gone"), std::string::npos) << why.text(0);
  EXPECT_EQ(why.integer(1), 1);
  // Opening the store for a new `ferlab run` notices them the same way.
  EXPECT_EQ(mark_stale_runs(db, host_name(), stale_after, process_alive), 0);
}

TEST(StaleRuns, ProcessAliveTellsALiveProcessFromAnExitedOne) {
  EXPECT_TRUE(process_alive(getpid()));
  EXPECT_FALSE(process_alive(dead_pid()));
}

// An ended child not yet reaped (a zombie) still answers kill(pid, 0): it is not alive. Such
// are the ranks of a killed mpirun job in a container whose init does not reap orphans.
TEST(StaleRuns, AnEndedProcessNotYetReapedIsNotAlive) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  // Until waitpid below, the child is a zombie: wait for it to end without reaping it.
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
  EXPECT_EQ(kill(child, 0), 0);  // what a check by kill() alone would take for alive
  EXPECT_FALSE(process_alive(child));
  waitpid(child, nullptr, 0);
}
