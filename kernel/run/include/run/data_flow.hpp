// The data stages of an experiment graph, each run once through the image cache: a dataset
// loaded, or one preprocessing step applied to the stage before it. A stage whose next
// stages are all in the cache is skipped, and computed after all if one of their files does
// not read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "graph/experiment_graph.hpp"
#include "loader/plugin_catalog.hpp"
#include "run/data_cache.hpp"
#include "run/event_log.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::run {

// What a data stage hands downstream: its images, or why there are none.
struct DataResult {
  std::shared_ptr<const DatasetContents> contents;  // none when skipped or failed
  std::shared_ptr<EventLog> events;                 // this stage's and everything upstream
  std::string error;
  std::uint64_t files_hash = 0;  // content hash of the dataset's files, for cache keys
  // What each preprocessing step so far learned in fit(), in chain order: the checkpoints keep
  // them for prediction.
  std::vector<std::string> fitted_states;
};

class DataFlow {
 public:
  // `graph` is the runs' experiment graph; it must outlive this.
  DataFlow(const std::vector<spec::RunSpec>& runs, const kernel::PluginCatalog& catalog,
           const graph::ExperimentGraph& graph, DataCache cache);

  // Dataset stage v. Failures are in the result's error, not thrown.
  DataResult load(graph::Vertex v);
  // Preprocessing stage v on `input`, the result of the stage before it.
  DataResult transform(graph::Vertex v, const DataResult& input);
  // What the train stage of runs[position] reads: its dataset and preprocessing chain, each
  // stage computed (or read from the cache) in order. For a process that trains one run
  // alone (a data-parallel follower, the learning-rate range test).
  DataResult train_input(std::size_t position);

 private:
  DataResult rebuild(graph::Vertex v, std::uint64_t files_hash);
  void produce(graph::Vertex v, DataResult& result,
               const std::function<DatasetContents()>& compute);
  bool needed(graph::Vertex v, std::uint64_t files_hash) const;

  const std::vector<spec::RunSpec>& runs_;
  const kernel::PluginCatalog& catalog_;
  const graph::ExperimentGraph& graph_;
  DataCache cache_;
  std::set<graph::Vertex> rebuilding_;  // data stages computed again although skipped (rebuild)
};

}  // namespace ferlab::run
