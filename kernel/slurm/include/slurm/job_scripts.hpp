// A spec's runs as a Slurm job array: task i runs `ferlab run SPEC --shard i/N` into a database
// of its own (one SQLite file per task, never one shared over a network file system), with its
// checkpoints and the image cache in the same folder; a second job, started after the array
// whatever its outcome (afterany), merges the shards and writes the report. Tasks resume: a
// task that Slurm stopped (time limit, preemption, scancel: SIGTERM) records its run as
// interrupted with its last checkpoint, and submitting the scripts again finishes what is
// unfinished and skips what is done.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ferlab::slurm {

struct SweepJob {
  std::filesystem::path ferlab;  // the executable the tasks run (absolute)
  std::filesystem::path spec;    // absolute
  std::filesystem::path out;     // absolute: shard databases, checkpoints, cache, logs, report
  std::string name;              // the experiment's name (the jobs' names)
  int runs = 0;                  // runs in the spec
  int tasks = 0;                 // array tasks, 1..runs; task i runs every tasks-th run from i
  int cpus_per_task = 2;         // also each task's --threads (each rank's, with ranks)
  // > 1: each array task is an MPI job of this many ranks (`mpirun ferlab run`: every run of
  // the task trained data-parallel over them), each with cpus_per_task CPUs.
  int ranks = 1;
  std::string partition, time, memory;  // sbatch's --partition, --time, --mem when not empty
  bool requeue = false;                 // sbatch --requeue: a preempted task starts again
  std::vector<std::string> overrides;   // `--set KEY=VALUE` passed on to every task
  // A halving search's rungs (1 otherwise). Its trials' shards decide each rung together: every
  // task names all shard databases (--peer), and the array is submitted once per rung, each
  // submission after the previous one (afterany); a task goes as far as the other shards'
  // trials let it and stops, and the next submission goes on.
  int rungs = 1;
};

// The job array's sbatch script.
std::string sweep_script(const SweepJob& job);
// The merge job's sbatch script: `ferlab db merge OUT/runs.db OUT/shard-*.db`, then the report.
std::string merge_script(const SweepJob& job);

struct ScriptFiles {
  std::filesystem::path sweep, merge;
};
// Writes both scripts into job.out (created, with logs/); throws std::runtime_error naming the
// file it cannot write.
ScriptFiles write_scripts(const SweepJob& job);

struct SubmittedJobs {
  std::vector<std::string> sweep;  // Slurm job ids of the array: one per rung of a search
  std::string merge;
};
// `sbatch --parsable` of the array (`rungs` times, each after the previous: afterany), then of
// the merge job with --dependency=afterany on the last.
// Throws std::runtime_error with sbatch's own message when either is refused.
SubmittedJobs submit(const ScriptFiles& scripts, int rungs);

// `text` as one word for the shell (single-quoted where needed).
std::string shell_quote(const std::string& text);

}  // namespace ferlab::slurm
