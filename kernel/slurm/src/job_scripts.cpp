#include "slurm/job_scripts.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace ferlab::slurm {
namespace fs = std::filesystem;
namespace {

// sbatch reads #SBATCH lines without a shell: a path there must be one plain word.
std::string directive_path(const fs::path& path) {
  const std::string text = path.string();
  if (text.find_first_of(" \t\n\"'%") != std::string::npos)
    throw std::invalid_argument(fmt::format(
        "{}: Slurm's #SBATCH lines cannot hold a path with spaces, quotes or '%'; choose "
        "another --out folder",
        text));
  return text;
}

// Job names: the experiment's name, with what a job name cannot hold made '_'.
std::string job_name(const std::string& name) {
  std::string out = "ferlab-";
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return out;
}

// The directives both jobs share: where they may run, and their log file.
std::string common_directives(const SweepJob& job, const std::string& log, int tasks) {
  std::string out;
  if (!job.partition.empty()) out += "#SBATCH --partition=" + job.partition + "\n";
  out += fmt::format("#SBATCH --ntasks={}\n", tasks);
  out += "#SBATCH --output=" + directive_path(job.out) + "/logs/" + log + "\n";
  out += "#SBATCH --open-mode=append\n";  // a resubmitted or requeued task keeps its earlier log
  return out;
}

void write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  if (!out.flush()) throw std::runtime_error(file.string() + ": cannot write");
  fs::permissions(file, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
}

// `sbatch --parsable ARGS`: the job id it prints; throws with its message when it fails.
std::string sbatch(const std::string& args) {
  const std::string command = "sbatch --parsable " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot start sbatch");
  std::string output;
  std::array<char, 512> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  if (status != 0 || output.empty())
    throw std::runtime_error(fmt::format("{} failed: {}", command.substr(0, command.size() - 5),
                                         output.empty() ? "no output" : output));
  // "<id>" or "<id>;<cluster>", after any warnings on earlier lines.
  const std::string last = output.substr(output.rfind('\n') + 1);
  return last.substr(0, last.find(';'));
}

}  // namespace

std::string shell_quote(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=:,+@%") == std::string::npos)
    return text;
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string sweep_script(const SweepJob& job) {
  if (job.ranks < 1)
    throw std::invalid_argument(fmt::format("{} ranks: expected 1 or more", job.ranks));
  if (job.tasks < 1 || job.tasks > job.runs)
    throw std::invalid_argument(
        fmt::format("{} array tasks for {} runs: expected 1 to {}", job.tasks, job.runs, job.runs));
  std::string s = "#!/bin/bash\n";
  s += fmt::format(
      "# Written by `ferlab slurm` for\n#   {}\n# its {} runs as {} array tasks: task i runs every "
      "{}th run from run i (`ferlab run\n"
      "# --shard i/{}`) into shard-i.db beside this script. Submitting it again finishes what\n"
      "# is unfinished and skips what is done (--resume).\n",
      job.spec.string(), job.runs, job.tasks, job.tasks, job.tasks);
  if (job.rungs > 1)
    s += fmt::format(
        "# A halving search of {} rungs: each rung is decided on every shard's trials (--peer),\n"
        "# so submit this script {} times, each after the previous (--dependency=afterany); a\n"
        "# task trains what the decided rungs allow and stops, and the next submission goes on.\n",
        job.rungs, job.rungs);
  s += "#SBATCH --job-name=" + job_name(job.name) + "\n";
  s += fmt::format("#SBATCH --array=0-{}\n", job.tasks - 1);
  s += fmt::format("#SBATCH --cpus-per-task={}\n", job.cpus_per_task);
  if (!job.time.empty()) s += "#SBATCH --time=" + job.time + "\n";
  if (!job.memory.empty()) s += "#SBATCH --mem=" + job.memory + "\n";
  s += job.requeue ? "#SBATCH --requeue\n" : "#SBATCH --no-requeue\n";
  s += common_directives(job, "task-%a.log", job.ranks);
  s += "set -euo pipefail\n";
  s += "task=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}\n";
  // Open MPI's mpirun reads the allocation from Slurm: one rank per Slurm task.
  const std::string launcher = job.ranks > 1 ? "mpirun -np \"$SLURM_NTASKS\" " : "";
  s += fmt::format("exec {}{} run {} --shard \"$task/{}\" --db {}/shard-\"$task\".db \\\n",
                   launcher, shell_quote(job.ferlab.string()), shell_quote(job.spec.string()),
                   job.tasks, shell_quote(job.out.string()));
  s += fmt::format("  --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\" --cache {} --resume",
                   job.cpus_per_task, shell_quote((job.out / "cache").string()));
  for (const std::string& o : job.overrides) s += " --set " + shell_quote(o);
  if (job.rungs > 1 && job.tasks > 1)
    for (int task = 0; task < job.tasks; ++task)
      s += fmt::format(" \\\n  --peer {}",
                       shell_quote((job.out / fmt::format("shard-{}.db", task)).string()));
  return s + "\n";
}

std::string merge_script(const SweepJob& job) {
  const std::string ferlab = shell_quote(job.ferlab.string());
  std::string s = "#!/bin/bash\n";
  s += "# Written by `ferlab slurm`: merges the shard databases beside this script into runs.db\n"
       "# (a finished run replaces an unfinished copy; nothing is counted twice) and writes\n"
       "# report.html. Started after the job array, whatever its tasks' outcome.\n";
  s += "#SBATCH --job-name=" + job_name(job.name) + "-merge\n";
  s += "#SBATCH --cpus-per-task=1\n";
  s += common_directives(job, "merge.log", 1);
  s += "set -euo pipefail\n";
  s += "cd " + shell_quote(job.out.string()) + "\n";
  s += "shards=(shard-*.db)\n";
  s += "[ -e \"${shards[0]}\" ] || { echo \"no shard-*.db in $PWD: no task started\" >&2; exit 1; "
       "}\n";
  s += ferlab + " db merge runs.db \"${shards[@]}\"\n";
  s += ferlab + " runs --db runs.db\n";
  s += ferlab + " report --db runs.db --out report.html\n";
  return s;
}

ScriptFiles write_scripts(const SweepJob& job) {
  const std::string sweep = sweep_script(job), merge = merge_script(job);
  std::error_code error;
  fs::create_directories(job.out / "logs", error);
  if (error)
    throw std::runtime_error(
        fmt::format("{}: cannot create: {}", (job.out / "logs").string(), error.message()));
  ScriptFiles files{job.out / "sweep.sbatch", job.out / "merge.sbatch"};
  write_file(files.sweep, sweep);
  write_file(files.merge, merge);
  return files;
}

SubmittedJobs submit(const ScriptFiles& scripts, int rungs) {
  SubmittedJobs ids;
  for (int rung = 0; rung < std::max(1, rungs); ++rung)
    ids.sweep.push_back(
        sbatch((ids.sweep.empty() ? "" : "--dependency=afterany:" + ids.sweep.back() + " ") +
               shell_quote(scripts.sweep.string())));
  ids.merge = sbatch("--dependency=afterany:" + ids.sweep.back() + " " +
                     shell_quote(scripts.merge.string()));
  return ids;
}

}  // namespace ferlab::slurm
