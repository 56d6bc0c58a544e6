// The experiment as a DAG of stages (Boost.Graph): dataset load -> preprocessing stages ->
// training (one per run) -> evaluation -> recording. Runs with the same dataset and the same
// preprocessing prefix share those stages, so identical upstream work is done once.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "spec/run_spec.hpp"

namespace ferlab::graph {

enum class StageKind { dataset, preprocess, train, evaluate, record };
const char* to_string(StageKind kind);

struct Stage {
  StageKind kind = StageKind::dataset;
  std::string label;          // "clahe(clip=2)", "train vgg seed 1"
  std::uint64_t key = 0;      // content hash of this stage and everything upstream
  int preprocess_index = -1;  // position in the chain, for preprocess stages
  std::vector<int> runs;      // indices (into the spec's runs) of the runs that use this stage
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Stage>;
using Vertex = Graph::vertex_descriptor;

struct CycleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ExperimentGraph {
 public:
  static ExperimentGraph build(const std::vector<spec::RunSpec>& runs);

  // Adds a stage, or returns the existing one with the same key (sharing).
  Vertex add_stage(const Stage& stage);
  void add_dependency(Vertex upstream, Vertex downstream);

  // Stages in an order where every stage comes after its inputs. Throws CycleError naming the
  // stages on a cycle.
  std::vector<Vertex> execution_order() const;

  const Graph& graph() const { return graph_; }
  const Stage& stage(Vertex v) const { return graph_[v]; }
  std::vector<Vertex> inputs(Vertex v) const;
  size_t size() const { return boost::num_vertices(graph_); }

  std::string dot() const;   // Graphviz; shared stages filled and labelled with their run count
  std::string text() const;  // one line per stage in execution order, with its inputs

 private:
  Graph graph_;
};

// Stable content hash of a plugin call (name, version, resolved params) chained to `parent`.
std::uint64_t stage_key(std::uint64_t parent, const std::string& kind,
                        const spec::PluginCall& call);
std::uint64_t hash_text(std::uint64_t seed, const std::string& text);
// The keys of a run's data stages: its dataset, then each preprocessing step chained to it.
// Runs with equal keys share those stages (and their output).
std::vector<std::uint64_t> data_stage_keys(const spec::RunSpec& run);

}  // namespace ferlab::graph
