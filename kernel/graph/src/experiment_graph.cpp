#include "graph/experiment_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <map>
#include <queue>
#include <sstream>

namespace ferlab::graph {
namespace {

// Records the first back edge a depth-first search meets, and the tree edges that reach it.
struct CycleFinder : boost::default_dfs_visitor {
  std::map<Vertex, Vertex>* parent;
  std::vector<Vertex>* cycle;
  void tree_edge(Graph::edge_descriptor e, const Graph& g) {
    (*parent)[boost::target(e, g)] = boost::source(e, g);
  }
  void back_edge(Graph::edge_descriptor e, const Graph& g) {
    if (!cycle->empty()) return;
    Vertex from = boost::source(e, g), to = boost::target(e, g);
    cycle->push_back(to);
    std::vector<Vertex> path;
    for (Vertex v = from; v != to; v = (*parent)[v]) path.push_back(v);
    cycle->insert(cycle->end(), path.rbegin(), path.rend());
    cycle->push_back(to);
  }
};

// The plugin and the parameters the spec wrote; defaults are left out to keep labels short
// (the stage key still covers every resolved parameter).
std::string call_label(const spec::PluginCall& call) {
  std::string args;
  for (const std::string& name : call.written) {
    if (!args.empty()) args += ", ";
    args += name + "=" + ferlab::to_string(call.params.at(name));
  }
  return call.plugin + (args.empty() ? "" : "(" + args + ")");
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

const char* to_string(StageKind kind) {
  switch (kind) {
    case StageKind::dataset:
      return "dataset";
    case StageKind::preprocess:
      return "preprocess";
    case StageKind::train:
      return "train";
    case StageKind::evaluate:
      return "evaluate";
    case StageKind::record:
      return "record";
  }
  return "?";
}

std::uint64_t hash_text(std::uint64_t seed, const std::string& text) {
  // FNV-1a, 64 bit: stable across runs and machines, unlike std::hash.
  std::uint64_t h = seed ^ 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::uint64_t stage_key(std::uint64_t parent, const std::string& kind,
                        const spec::PluginCall& call) {
  std::string text = kind + "\n" + call.plugin + "\n" + call.version + "\n";
  for (const auto& [name, value] : call.params.values())
    text += name + "=" + ferlab::to_string(value) + "\n";
  return hash_text(parent, text);
}

Vertex ExperimentGraph::add_stage(const Stage& stage) {
  for (Vertex v : boost::make_iterator_range(boost::vertices(graph_))) {
    if (graph_[v].key == stage.key && graph_[v].kind == stage.kind) {
      for (int r : stage.runs)
        if (std::find(graph_[v].runs.begin(), graph_[v].runs.end(), r) == graph_[v].runs.end())
          graph_[v].runs.push_back(r);
      return v;
    }
  }
  return boost::add_vertex(stage, graph_);
}

std::vector<std::uint64_t> data_stage_keys(const spec::RunSpec& run) {
  std::vector<std::uint64_t> keys{stage_key(0, "dataset", run.dataset)};
  for (const spec::PluginCall& call : run.preprocess)
    keys.push_back(stage_key(keys.back(), "preprocess", call));
  return keys;
}

void ExperimentGraph::add_dependency(Vertex upstream, Vertex downstream) {
  if (!boost::edge(upstream, downstream, graph_).second)
    boost::add_edge(upstream, downstream, graph_);
}

ExperimentGraph ExperimentGraph::build(const std::vector<spec::RunSpec>& runs) {
  ExperimentGraph g;
  for (size_t r = 0; r < runs.size(); ++r) {
    const spec::RunSpec& run = runs[r];
    std::vector<int> uses = {static_cast<int>(r)};
    const std::vector<std::uint64_t> data_keys = data_stage_keys(run);
    Vertex previous =
        g.add_stage({StageKind::dataset, call_label(run.dataset), data_keys[0], -1, uses});
    for (size_t i = 0; i < run.preprocess.size(); ++i) {
      Vertex v = g.add_stage({StageKind::preprocess, call_label(run.preprocess[i]),
                              data_keys[i + 1], static_cast<int>(i), uses});
      g.add_dependency(previous, v);
      previous = v;
    }
    std::uint64_t key = data_keys.back();
    std::string who =
        (run.variant.empty() ? "" : run.variant + " ") + fmt::format("seed {}", run.seed);
    key = hash_text(key, run.resolved_yaml);
    Vertex train = g.add_stage({StageKind::train, who, key, -1, uses});
    g.add_dependency(previous, train);
    Vertex evaluate = g.add_stage({StageKind::evaluate, who, hash_text(key, "evaluate"), -1, uses});
    g.add_dependency(train, evaluate);
    Vertex record = g.add_stage({StageKind::record, who, hash_text(key, "record"), -1, uses});
    g.add_dependency(evaluate, record);
  }
  return g;
}

std::vector<Vertex> ExperimentGraph::execution_order() const {
  std::map<Vertex, Vertex> parent;
  std::vector<Vertex> cycle;
  CycleFinder finder;
  finder.parent = &parent;
  finder.cycle = &cycle;
  boost::depth_first_search(graph_, boost::visitor(finder));
  if (!cycle.empty()) {
    std::string names;
    for (Vertex v : cycle) names += (names.empty() ? "" : " -> ") + graph_[v].label;
    throw CycleError("the experiment graph has a cycle: " + names);
  }
  // Kahn's algorithm, always taking the oldest ready stage: stages were added run by run, so
  // runs execute in spec order and a shared stage's output is released as early as possible.
  std::vector<size_t> waiting(size());
  std::priority_queue<Vertex, std::vector<Vertex>, std::greater<>> ready;
  for (Vertex v : boost::make_iterator_range(boost::vertices(graph_))) {
    waiting[v] = boost::in_degree(v, graph_);
    if (waiting[v] == 0) ready.push(v);
  }
  std::vector<Vertex> order;
  while (!ready.empty()) {
    Vertex v = ready.top();
    ready.pop();
    order.push_back(v);
    for (auto e : boost::make_iterator_range(boost::out_edges(v, graph_)))
      if (--waiting[boost::target(e, graph_)] == 0) ready.push(boost::target(e, graph_));
  }
  return order;
}

std::vector<Vertex> ExperimentGraph::inputs(Vertex v) const {
  std::vector<Vertex> out;
  for (auto e : boost::make_iterator_range(boost::in_edges(v, graph_)))
    out.push_back(boost::source(e, graph_));
  return out;
}

std::string ExperimentGraph::dot() const {
  std::ostringstream out;
  auto vertex_writer = [this](std::ostream& os, Vertex v) {
    const Stage& s = graph_[v];
    std::string label = std::string(to_string(s.kind)) + "\\n" + dot_escape(s.label);
    if (s.runs.size() > 1) label += fmt::format("\\n(shared by {} runs)", s.runs.size());
    os << "[label=\"" << label << "\""
       << (s.runs.size() > 1 ? ", style=filled, fillcolor=\"#cfe3ff\"" : "") << "]";
  };
  auto graph_writer = [](std::ostream& os) {
    os << "rankdir=LR;\nnode [shape=box, fontname=\"Helvetica\"];\n";
  };
  boost::write_graphviz(out, graph_, vertex_writer, boost::default_writer(), graph_writer);
  return out.str();
}

std::string ExperimentGraph::text() const {
  std::string out;
  for (Vertex v : execution_order()) {
    const Stage& s = graph_[v];
    std::string from;
    for (Vertex in : inputs(v)) from += (from.empty() ? "" : ", ") + std::to_string(in);
    out +=
        fmt::format("[{}] {:<10} {}{}{}\n", v, to_string(s.kind), s.label,
                    from.empty() ? "" : "  <- [" + from + "]",
                    s.runs.size() > 1 ? fmt::format("  (shared by {} runs)", s.runs.size()) : "");
  }
  return out;
}

}  // namespace ferlab::graph
