// `ferlab slurm SPEC --out DIR`: the spec's runs as a Slurm job array and a merge job
// (kernel/slurm), written as sbatch scripts and, with --submit, submitted.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "commands.hpp"
#include "search/halving.hpp"
#include "slurm/job_scripts.hpp"

namespace ferlab::cli {
namespace fs = std::filesystem;
namespace {

// How many times the array is submitted: once per rung of a halving search, else once.
int halving_rungs(const spec::LoadedSpec& spec) {
  if (!spec.search || spec.search->method != spec::SearchPlan::Method::halving) return 1;
  const spec::SearchPlan& plan = *spec.search;
  return static_cast<int>(search::halving_rungs(static_cast<int>(plan.trials), plan.eta,
                                                plan.min_epochs, spec.runs.front().train.epochs)
                              .size());
}

}  // namespace

void add_slurm_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "slurm",
      "Write a spec's runs as a Slurm job array (one shard database per task) and a "
      "job that merges them and writes the report; --submit submits both");
  struct Options {
    std::string file, out;
    std::vector<std::string> overrides;
    slurm::SweepJob job;
    bool submit = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("spec", o->file, "Experiment spec (YAML)")->required();
  cmd->add_option("--out", o->out,
                  "Folder of the scripts, shard databases, checkpoints, cache, logs and the "
                  "merged runs.db and report.html (on a file system every node sees)")
      ->required();
  cmd->add_option("--tasks", o->job.tasks, "Array tasks (default: one per run)");
  cmd->add_option("--ranks", o->job.ranks,
                  "MPI ranks per array task: each run trained data-parallel over them (mpirun)")
      ->capture_default_str();
  cmd->add_option("--cpus-per-task", o->job.cpus_per_task, "CPUs, and threads, of each task")
      ->capture_default_str()
      ->check(Check::positive_number);
  cmd->add_option("--partition", o->job.partition, "sbatch --partition");
  cmd->add_option("--time", o->job.time, "sbatch --time: each task's limit, e.g. 02:00:00");
  cmd->add_option("--mem", o->job.memory, "sbatch --mem: each task's memory, e.g. 4G");
  cmd->add_flag("--requeue", o->job.requeue,
                "Let Slurm requeue a preempted task (it resumes from its checkpoint)");
  cmd->add_option("--set", o->overrides, "Override a key in every task: --set train.epochs=5")
      ->type_name("KEY=VALUE");
  cmd->add_flag("--submit", o->submit, "Submit the array and the merge job with sbatch");
  cmd->callback([&global, o] {
    kernel::PluginCatalog catalog;
    const spec::LoadedSpec loaded = load_valid_spec(global, o->file, o->overrides, catalog);
    slurm::SweepJob job = o->job;
    job.ferlab = fs::read_symlink("/proc/self/exe");
    job.spec = fs::absolute(o->file).lexically_normal();
    job.out = fs::absolute(o->out).lexically_normal();
    job.name = loaded.runs.front().experiment;
    job.runs = static_cast<int>(loaded.runs.size());
    if (job.tasks == 0) job.tasks = job.runs;
    job.overrides = o->overrides;
    job.rungs = halving_rungs(loaded);
    if (job.rungs > 1 && job.ranks > 1)
      throw UsageError("--ranks", "a halving search does not train data-parallel yet");
    const slurm::ScriptFiles files = slurm::write_scripts(job);
    fmt::print("wrote {} ({} runs in {} array tasks{}) and {}\n", files.sweep.string(), job.runs,
               job.tasks,
               job.rungs > 1 ? fmt::format(", submitted once per rung: {} times", job.rungs) : "",
               files.merge.string());
    if (!o->submit) {
      const std::string sweep = slurm::shell_quote(files.sweep.string());
      fmt::print("submit: jobid=$(sbatch --parsable {})", sweep);
      for (int rung = 1; rung < job.rungs; ++rung)
        fmt::print(" && jobid=$(sbatch --parsable --dependency=afterany:$jobid {})", sweep);
      fmt::print(" && sbatch --dependency=afterany:$jobid {}\n",
                 slurm::shell_quote(files.merge.string()));
      return;
    }
    const slurm::SubmittedJobs ids = slurm::submit(files, job.rungs);
    fmt::print("submitted job array {}{} and merge job {} (after it); results in {}\n",
               fmt::join(ids.sweep, ","),
               ids.sweep.size() > 1 ? " (once per rung, each after the previous)" : "", ids.merge,
               (job.out / "runs.db").string());
  });
}

}  // namespace ferlab::cli
