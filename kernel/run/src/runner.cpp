#include "run/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>

#include "assembly/network_setup.hpp"
#include "engine/checkpoint.hpp"
#include "engine/training_state.hpp"
#include "graph/experiment_graph.hpp"
#include "halving_search.hpp"
#include "run/data_cache.hpp"
#include "run/data_flow.hpp"
#include "run/environment.hpp"
#include "run/evaluation_stage.hpp"
#include "run/follower.hpp"
#include "run/heartbeat.hpp"
#include "run/interrupt.hpp"
#include "run/progress.hpp"
#include "run/resume_plan.hpp"
#include "run/run_checkpoints.hpp"
#include "run/run_record.hpp"
#include "run/teacher.hpp"
#include "run/visual_artifacts.hpp"
#include "search/ranking.hpp"
#include "storage/run_resume.hpp"

namespace ferlab::run {
namespace {

using graph::StageKind;
using graph::Vertex;

struct RunState {
  const spec::RunSpec* spec = nullptr;
  std::unique_ptr<engine::Network> network;
  std::shared_ptr<const DatasetContents> data;
  std::shared_ptr<EventLog> events;
  RunSummary summary;
  std::chrono::steady_clock::time_point start;
  bool recorded = false;
  std::unique_ptr<RunCheckpoints> checkpoints;
};

// Thrown after the epoch at which a halving rung pauses a run.
struct Paused {
  int epoch;
};

class Executor {
 public:
  // `reopen`: by run index, the recorded run each one continues (--resume).
  Executor(const std::vector<spec::RunSpec>& runs, const std::string& spec_text,
           const kernel::PluginCatalog& catalog, storage::RunStore& store, Environment env,
           DataCache cache, std::map<int, Reopened> reopen, const RunOptions& options)
      : runs_(runs),
        spec_text_(spec_text),
        catalog_(catalog),
        store_(store),
        env_(std::move(env)),
        reopen_(std::move(reopen)),
        graph_(graph::ExperimentGraph::build(runs)),
        data_flow_(runs, catalog, graph_, std::move(cache)),
        states_(runs.size()),
        processes_(options.processes && options.processes->size() > 1 ? options.processes
                                                                      : nullptr),
        hosts_(options.process_hosts),
        pause_after_(options.pause_after_epochs),
        claim_(options.resume) {
    for (size_t r = 0; r < runs.size(); ++r) states_[r].spec = &runs[r];
  }

  std::vector<RunSummary> execute() {
    for (Vertex v : graph_.execution_order()) {
      const graph::Stage& stage = graph_.stage(v);
      switch (stage.kind) {
        case StageKind::dataset:
          data_[v] = data_flow_.load(v);
          break;
        case StageKind::preprocess:
          data_[v] = data_flow_.transform(v, data_.at(input(v)));
          break;
        case StageKind::train:
          train(states_[stage.runs.front()], data_.at(input(v)));
          break;
        case StageKind::evaluate:
          evaluate(states_[stage.runs.front()]);
          break;
        case StageKind::record:
          record(states_[stage.runs.front()]);
          break;
      }
      release_inputs(v);
      if (stopped_ || interrupt_requested()) break;
    }
    if (processes_) order(end_order);
    // A run cut short between its stages is recorded as interrupted, never left
    // 'running'.
    for (RunState& s : states_) {
      if (s.summary.id == 0 || s.recorded) continue;
      if (s.summary.status == storage::RunStatus::running)
        s.summary.status = storage::RunStatus::interrupted;
      record(s);
    }
    std::vector<RunSummary> out;
    for (const RunState& s : states_)
      if (s.summary.id != 0) out.push_back(s.summary);
    return out;
  }

 private:
  Vertex input(Vertex v) const { return graph_.inputs(v).front(); }

  // Data-parallel: tells the other processes what to do next (follower.hpp).
  void order(std::string text) { processes_->broadcast(text, 0); }

  // Frees a data stage's images once every stage that reads them has run.
  void release_inputs(Vertex v) {
    for (Vertex in : graph_.inputs(v))
      if (++consumed_[in] == boost::out_degree(in, graph_.graph())) data_.erase(in);
  }

  // A new run row, or (--resume) the recorded run reopened: then its last
  // checkpoint, when there is one, supplies the weights and the training state
  // to continue from.
  struct Start {
    std::int64_t id = 0;
    int epochs_done = 0;
    std::optional<engine::TrainingState> state;
    std::filesystem::path checkpoint;  // the one `state` comes from
  };
  Start begin(const spec::RunSpec& run, const std::vector<std::string>& classes) {
    storage::RunInfo info = run_info(run, spec_text_, env_);
    if (processes_) {
      info.params.emplace_back("train.processes", std::to_string(processes_->size()));
      info.params.emplace_back("train.process_hosts", fmt::format("{}", fmt::join(hosts_, " ")));
    }
    auto reopened = reopen_.find(run.index);
    // With --resume, several processes may work through the spec on this database: each run
    // is claimed in one transaction, and one another process took meanwhile is left (id 0).
    if (reopened == reopen_.end())
      return {claim_ ? store_.claim_run(info, classes) : store_.begin_run(info, classes), 0,
              std::nullopt};
    Start start{reopened->second.run, 0, std::nullopt};
    const auto last = run_checkpoint_file(store_.database(), start.id, "last");
    if (std::filesystem::exists(last)) {
      start.state = engine::training_state_of(engine::read_checkpoint_info(last));
      if (!start.state)
        throw std::runtime_error(last.string() + ": has no training state to resume from");
      start.epochs_done = start.state->epochs_done;
      start.checkpoint = last;
    }
    if (!storage::reopen_run(store_.database(), start.id, start.epochs_done, info)) return {};
    return start;
  }

  void train(RunState& state, const DataResult& input) {
    const spec::RunSpec& run = *state.spec;
    state.start = std::chrono::steady_clock::now();
    state.summary = {0, run.variant, run.seed, storage::RunStatus::running, -1, 0, ""};
    std::vector<std::string> classes =
        input.contents ? input.contents->classes : std::vector<std::string>{};
    Start start;
    try {
      start = begin(run, classes);
    } catch (const std::exception& e) {
      if (!reopen_.count(run.index)) throw;  // the database itself failed
      state.summary.id = reopen_.at(run.index).run;
      return fail(state, fmt::format("cannot resume: {}", e.what()));
    }
    if (start.id == 0) {
      fmt::print(stderr, "{}{} seed {}: taken by another process, skipped\n", run.experiment,
                 run.variant.empty() ? "" : " (" + run.variant + ")", run.seed);
      return;
    }
    state.summary.id = start.id;
    state.events = input.events;
    if (!input.error.empty()) return fail(state, input.error);
    state.data = input.contents;
    std::string who = fmt::format("run {}{}", state.summary.id,
                                  run.variant.empty() ? "" : " (" + run.variant + ")");
    if (pause_after_ > 0 && start.epochs_done >= pause_after_)
      return pause(state, start.epochs_done);  // a resumed search: this rung is done
    fmt::print(
        stderr, "{}: training, seed {}{}\n", who, run.seed,
        processes_ ? fmt::format(", data-parallel over {} processes", processes_->size()) : "");
    if (processes_)
      order(train_order(static_cast<std::size_t>(&state - states_.data()),
                        start.checkpoint.string()));
    try {
      prepare_network(state, who);
      engine::Trainer trainer(*state.network, run.train, static_cast<int>(classes.size()),
                              static_cast<std::uint64_t>(run.seed));
      trainer.set_collective(processes_);
      trainer.set_stop_request(interrupt_requested);
      if (!run.train.distill.teachers.empty()) attach_teacher(state, trainer, who);
      state.checkpoints = std::make_unique<RunCheckpoints>(
          store_, state.summary.id, store_.database().path(), run, classes,
          state.network->input_shape(), input.fitted_states);
      if (start.state) resume_from(state, trainer, start, who);
      fit(state, trainer, who);
    } catch (const Paused& e) {
      pause(state, e.epoch);
    } catch (const Interrupted& e) {
      stop(state, e.what());
    } catch (const engine::TrainingStopped& e) {
      stop(state, e.what());
    } catch (const std::exception& e) {
      fail(state, e.what());
      // The other processes are inside fit(), waiting for this one: the run is recorded
      // failed, and the error ends them all (MPI_Abort in main).
      if (processes_) {
        record(state);
        throw;
      }
    }
  }

  // A halving rung reached: the run waits, checkpointed, for the search to promote it.
  void pause(RunState& state, int epoch) {
    state.summary.status = storage::RunStatus::interrupted;
    state.summary.error =
        fmt::format("{} after epoch {} (a halving rung)", search::paused_reason, epoch);
    state.network.reset();
  }

  void stop(RunState& state, const std::string& why) {
    state.summary.status = storage::RunStatus::interrupted;
    state.summary.error = why;
    stopped_ = true;
    state.network.reset();
  }

  // The run's network built for its data and initialised (or fine-tuned from
  // init_from), its size recorded under split "model" for the report's
  // comparison table.
  void prepare_network(RunState& state, const std::string& who) {
    const spec::RunSpec& run = *state.spec;
    state.network =
        assembly::build_network(catalog_, run, assembly::training_input_shape(*state.data),
                                static_cast<int>(state.data->classes.size()));
    const std::string fine_tuning = assembly::initialize_network(*state.network, run);
    if (!fine_tuning.empty()) {
      fmt::print(stderr, "{}: {}\n", who, fine_tuning);
      store_.record_event(state.summary.id, "fine-tuning", fine_tuning, 1);
    }
    storage::Evaluation size;
    size.split = "model";
    size.metrics = {{"parameters", static_cast<double>(state.network->parameter_count())},
                    {"macs", static_cast<double>(state.network->macs())}};
    store_.record_evaluation(state.summary.id, size);
  }

  void attach_teacher(RunState& state, engine::Trainer& trainer, const std::string& who) {
    const std::string message =
        attach_teachers(trainer, catalog_, *state.spec, *state.data, state.network->input_shape(),
                        store_.database().path());
    fmt::print(stderr, "{}: {}\n", who, message);
    store_.record_event(state.summary.id, "distillation", message, 1);
  }

  // --resume: the last checkpoint's weights and training state.
  void resume_from(RunState& state, engine::Trainer& trainer, const Start& start,
                   const std::string& who) {
    engine::load_checkpoint(state.checkpoints->file("last"), *state.network);
    trainer.resume(*start.state);
    const std::string change = reopen_.at(state.spec->index).change;
    const std::string message = fmt::format("resumed after epoch {}{}", start.epochs_done,
                                            change.empty() ? "" : ", " + change);
    fmt::print(stderr, "{}: {}\n", who, message);
    store_.record_event(state.summary.id, "resumed", message, 1);
  }

  // Trains on the train split, selecting on val; every epoch is recorded and
  // checkpointed, and an interrupt (Ctrl-C, SIGTERM) stops it between two
  // steps.
  void fit(RunState& state, engine::Trainer& trainer, const std::string& who) {
    const spec::RunSpec& run = *state.spec;
    Progress progress(who, run.train.epochs);
    auto on_epoch = [&](const engine::EpochStats& s) {
      progress.epoch(s);
      store_.record_epoch(state.summary.id,
                          {{s.epoch, "train", s.train_loss, s.train_accuracy, s.train_macro_f1,
                            s.lr, s.seconds, s.images_per_second},
                           {s.epoch, "val", s.val_loss, s.val_accuracy, s.val_macro_f1, s.lr,
                            s.seconds, s.images_per_second}});
      // After the epoch's rows: a resumed run drops rows its last checkpoint
      // does not cover.
      state.checkpoints->after_epoch(*state.network, s, trainer.state());
      if (pause_after_ > 0 && s.epoch >= pause_after_ && s.epoch < run.train.epochs)
        throw Paused{s.epoch};
      // Data-parallel, the processes stop together, at a step (the trainer's stop request).
      if (!processes_) check_interrupt();
    };
    Heartbeat heartbeat(store_, state.summary.id);
    auto on_step = [&](int epoch, int step, int steps, double loss) {
      progress.step(epoch, step, steps, loss, run.train.batch);
      heartbeat.maybe_beat();
    };
    const auto& splits = state.data->splits;
    auto val = splits.find("val");
    static const std::vector<Sample> none;
    trainer.fit(splits.at("train"), val == splits.end() ? none : val->second,
                assembly::make_augment(catalog_, run), on_epoch, on_step);
  }

  void fail(RunState& state, const std::string& error) {
    fmt::print(stderr, "run {} failed: {}\n", state.summary.id, error);
    state.summary.status = storage::RunStatus::failed;
    state.summary.error = error;
    state.network.reset();
  }

  // Test metrics come once per checkpoint: the best on val (the network holds
  // it after fit) and, labelled "last", the final epoch's — for every split and
  // TTA mode.
  void evaluate(RunState& state) {
    if (!state.network) return;
    int classes = static_cast<int>(state.data->classes.size());
    try {
      for (const char* checkpoint : {"best", "last"}) {
        if (checkpoint == std::string("last"))
          engine::load_checkpoint(state.checkpoints->file("last"), *state.network);
        for (const std::string& split : state.spec->eval_splits) {
          auto samples = state.data->splits.find(split);
          if (samples == state.data->splits.end() || samples->second.empty()) {
            if (checkpoint == std::string("best"))
              state.events->warn("missing-split",
                                 fmt::format("the dataset has no '{}' split to evaluate", split));
            continue;
          }
          for (const SplitEvaluation& e : evaluate_checkpoint(
                   *state.network, samples->second, classes, split, state.spec->tta, checkpoint))
            record_evaluation(state, e);
        }
      }
    } catch (const std::exception& e) {
      fail(state, std::string("evaluation: ") + e.what());
    }
  }

  void record_evaluation(RunState& state, const SplitEvaluation& result) {
    const storage::Evaluation& e = result.figures;
    store_.record_evaluation(state.summary.id, e);
    store_.record_predictions(state.summary.id, result.predictions);
    const bool headline = e.tta == "none" && e.checkpoint == "best";
    if (headline && e.split == "test") state.summary.test_accuracy = e.metric("accuracy");
    fmt::print(stderr, "run {}: {} accuracy {:.4f}, macro-F1 {:.4f} ({} checkpoint by {}{})\n",
               state.summary.id, e.split, e.metric("accuracy"), e.metric("macro_f1"), e.checkpoint,
               options::name_of(state.spec->train.select_on),
               e.tta == "none" ? "" : ", TTA " + e.tta);
  }

  void record(RunState& state) {
    if (state.summary.id == 0 || state.recorded) return;
    state.recorded = true;
    if (state.network && state.summary.status == storage::RunStatus::running)
      record_visual_artifacts(store_, state.summary.id, catalog_, *state.spec, *state.network,
                              *state.data, *state.events);
    if (state.events)
      for (const auto& [code, entry] : state.events->entries())
        store_.record_event(state.summary.id, code, entry.first_message, entry.count);
    if (state.summary.status == storage::RunStatus::running)
      state.summary.status = storage::RunStatus::finished;
    state.summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
    store_.finish_run(state.summary.id, state.summary.status, state.summary.error);
    state.network.reset();
    state.data.reset();
  }

  const std::vector<spec::RunSpec>& runs_;
  const std::string& spec_text_;
  const kernel::PluginCatalog& catalog_;
  storage::RunStore& store_;
  Environment env_;
  std::map<int, Reopened> reopen_;
  graph::ExperimentGraph graph_;
  DataFlow data_flow_;
  std::vector<RunState> states_;
  std::map<Vertex, DataResult> data_;
  std::map<Vertex, size_t> consumed_;
  bool stopped_ = false;
  engine::Collective* processes_;  // null unless data-parallel over several processes
  std::vector<std::string> hosts_;
  int pause_after_;  // RunOptions::pause_after_epochs
  bool claim_;       // --resume: claim each new run (other processes may share the database)
};

}  // namespace

std::vector<spec::RunSpec> shard_runs(const std::vector<spec::RunSpec>& runs, int index,
                                      int count) {
  std::vector<spec::RunSpec> out;
  for (const spec::RunSpec& run : runs)
    if (run.index % count == index) out.push_back(run);
  return out;
}

std::vector<RunSummary> execute(const spec::LoadedSpec& spec, const std::string& spec_text,
                                const kernel::PluginCatalog& catalog, const RunOptions& options) {
  if (spec.search && spec.search->method == spec::SearchPlan::Method::halving) {
    if (options.processes && options.processes->size() > 1)
      throw std::runtime_error("a halving search does not train data-parallel (mpirun) yet");
    return execute_halving(spec, options, [&](const spec::LoadedSpec& rung, const RunOptions& o) {
      return execute(rung, spec_text, catalog, o);
    });
  }
  if (!options.peer_dbs.empty())
    throw std::runtime_error("--peer: only a halving search reads other shards' databases");
  std::vector<spec::RunSpec> runs = shard_runs(spec.runs, options.shard_index, options.shard_count);
  if (options.processes && options.processes->rank() > 0) {
    use_threads(options.threads);
    install_interrupt_handler();
    follow_rank0(*options.processes, runs, catalog,
                 DataCache(cache_location(options.cache, options.db)), options.db);
    return {};
  }
  storage::RunStore store(options.db);  // before any work: an unwritable database fails here
  std::map<int, Reopened> reopen;
  if (options.resume) reopen = plan_resume(store, runs);
  int threads = use_threads(options.threads);
  install_interrupt_handler();
  Executor executor(runs, spec_text, catalog, store, describe_environment(threads),
                    DataCache(cache_location(options.cache, options.db)), std::move(reopen),
                    options);
  return executor.execute();
}

}  // namespace ferlab::run
