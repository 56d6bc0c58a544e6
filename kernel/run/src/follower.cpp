#include "run/follower.hpp"

#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

#include "assembly/network_setup.hpp"
#include "engine/checkpoint.hpp"
#include "engine/trainer.hpp"
#include "engine/training_state.hpp"
#include "graph/experiment_graph.hpp"
#include "run/data_flow.hpp"
#include "run/interrupt.hpp"
#include "run/teacher.hpp"

namespace ferlab::run {
namespace {

void train(engine::Collective& processes, const spec::RunSpec& run, const DataResult& data,
           const std::string& resume_checkpoint, const kernel::PluginCatalog& catalog,
           const std::string& db) {
  if (!data.contents)
    throw std::runtime_error(
        fmt::format("rank {}: run {}: no data: {}", processes.rank(), run.index + 1, data.error));
  const DatasetContents& contents = *data.contents;
  const int classes = static_cast<int>(contents.classes.size());
  auto network =
      assembly::build_network(catalog, run, assembly::training_input_shape(contents), classes);
  assembly::initialize_network(*network, run);  // rank 0's weights replace these in fit()
  engine::Trainer trainer(*network, run.train, classes, static_cast<std::uint64_t>(run.seed));
  if (!run.train.distill.teachers.empty())
    attach_teachers(trainer, catalog, run, contents, network->input_shape(), db);
  if (!resume_checkpoint.empty()) {
    engine::load_checkpoint(resume_checkpoint, *network);
    auto state = engine::training_state_of(engine::read_checkpoint_info(resume_checkpoint));
    if (!state) throw std::runtime_error(resume_checkpoint + ": has no training state");
    trainer.resume(*state);
  }
  trainer.set_collective(&processes);
  trainer.set_stop_request(interrupt_requested);
  const auto val = contents.splits.find("val");
  static const std::vector<Sample> none;
  try {
    trainer.fit(contents.splits.at("train"), val == contents.splits.end() ? none : val->second,
                assembly::make_augment(catalog, run));
  } catch (const engine::TrainingStopped&) {
    // Every process stopped after the same step; rank 0 records the run and sends "end".
  }
}

}  // namespace

std::string train_order(std::size_t position, const std::string& resume_checkpoint) {
  return fmt::format("train {} {}", position, resume_checkpoint);
}

void follow_rank0(engine::Collective& processes, const std::vector<spec::RunSpec>& runs,
                  const kernel::PluginCatalog& catalog, DataCache cache, const std::string& db) {
  const graph::ExperimentGraph graph = graph::ExperimentGraph::build(runs);
  DataFlow flow(runs, catalog, graph, std::move(cache));
  for (;;) {
    std::string order;
    processes.broadcast(order, 0);
    if (order == end_order) return;
    std::istringstream in(order);
    std::string verb, checkpoint;
    std::size_t position = 0;
    in >> verb >> position;
    std::getline(in >> std::ws, checkpoint);
    if (verb != "train" || position >= runs.size())
      throw std::logic_error("rank " + std::to_string(processes.rank()) +
                             ": unknown order from rank 0: " + order);
    train(processes, runs[position], flow.train_input(position), checkpoint, catalog, db);
  }
}

}  // namespace ferlab::run
