#include "run/data_flow.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "assembly/data_stages.hpp"

namespace ferlab::run {

using graph::StageKind;
using graph::Vertex;

DataFlow::DataFlow(const std::vector<spec::RunSpec>& runs, const kernel::PluginCatalog& catalog,
                   const graph::ExperimentGraph& graph, DataCache cache)
    : runs_(runs), catalog_(catalog), graph_(graph), cache_(std::move(cache)) {}

DataResult DataFlow::load(Vertex v) {
  const graph::Stage& stage = graph_.stage(v);
  const spec::PluginCall& call = runs_[stage.runs.front()].dataset;
  DataResult result{nullptr, std::make_shared<EventLog>(), ""};
  fmt::print(stderr, "loading dataset {}\n", stage.label);
  try {
    if (cache_.enabled()) result.files_hash = dataset_files_hash(call);
    produce(v, result, [&] { return assembly::load_dataset(catalog_, call, *result.events); });
    if (result.contents)
      for (const auto& [split, samples] : result.contents->splits)
        fmt::print(stderr, "  {}: {} images\n", split, samples.size());
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

DataResult DataFlow::transform(Vertex v, const DataResult& input) {
  if (!input.error.empty()) return input;
  const graph::Stage& stage = graph_.stage(v);
  const spec::PluginCall& call = runs_[stage.runs.front()].preprocess[stage.preprocess_index];
  DataResult result{nullptr, std::make_shared<EventLog>(), "", input.files_hash};
  result.events->merge(*input.events);
  fmt::print(stderr, "preprocessing: {}\n", stage.label);
  try {
    produce(v, result, [&] {
      DataResult rebuilt;
      if (!input.contents) {  // skipped for this stage's cache file, which then did not read
        rebuilt = rebuild(graph_.inputs(v).front(), input.files_hash);
        if (!rebuilt.error.empty()) throw std::runtime_error(rebuilt.error);
        result.events = std::make_shared<EventLog>();
        result.events->merge(*rebuilt.events);
      }
      const DataResult& source = input.contents ? input : rebuilt;
      std::string fitted;
      DatasetContents output =
          assembly::preprocess(catalog_, call, *source.contents, *result.events, &fitted);
      result.fitted_states = source.fitted_states;
      result.fitted_states.push_back(fitted);
      return output;
    });
  } catch (const std::exception& e) {
    result.error = fmt::format("preprocessor '{}': {}", call.plugin, e.what());
  }
  return result;
}

// The images of data stage v, which was skipped because the stage after it was in the cache,
// whose file then turned out damaged: from the cache or computed again, and so on upstream.
DataResult DataFlow::rebuild(Vertex v, std::uint64_t files_hash) {
  const graph::Stage& stage = graph_.stage(v);
  fmt::print(stderr, "  computing the stage before it again: {}\n", stage.label);
  rebuilding_.insert(v);
  DataResult result = stage.kind == StageKind::dataset
                          ? load(v)
                          : transform(v, {nullptr, std::make_shared<EventLog>(), "", files_hash});
  rebuilding_.erase(v);
  return result;
}

// A data stage's images: none when every later stage reads its own from the cache, else
// those in the cache (with the events recorded when they were made), else computed and cached.
void DataFlow::produce(Vertex v, DataResult& result,
                       const std::function<DatasetContents()>& compute) {
  if (cache_.enabled() && !rebuilding_.count(v) && !needed(v, result.files_hash)) {
    fmt::print(stderr, "  skipped: the next stages are in the cache\n");
    return;
  }
  const std::uint64_t key = cache_key(graph_.stage(v).key, result.files_hash);
  auto cached_events = std::make_shared<EventLog>();
  if ((result.contents = cache_.load(key, *cached_events, result.fitted_states))) {
    result.events = cached_events;
    fmt::print(stderr, "  read from the cache: {}\n", cache_.file(key).string());
    return;
  }
  result.contents = std::make_shared<const DatasetContents>(compute());
  cache_.store(key, *result.contents, *result.events, result.fitted_states);
}

// Whether a later stage needs this data stage's images: training does, and so does a
// preprocessing stage that is not in the cache.
bool DataFlow::needed(Vertex v, std::uint64_t files_hash) const {
  for (auto edge : boost::make_iterator_range(boost::out_edges(v, graph_.graph()))) {
    const graph::Stage& next = graph_.stage(boost::target(edge, graph_.graph()));
    if (next.kind != StageKind::preprocess || !cache_.contains(cache_key(next.key, files_hash)))
      return true;
  }
  return false;
}

DataResult DataFlow::train_input(std::size_t position) {
  graph::Vertex train = 0;
  bool found = false;
  for (graph::Vertex v : graph_.execution_order()) {
    const graph::Stage& stage = graph_.stage(v);
    if (stage.kind == graph::StageKind::train && stage.runs.front() == static_cast<int>(position))
      train = v, found = true;
  }
  if (!found) throw std::logic_error(fmt::format("no train stage for run {}", position));
  std::vector<graph::Vertex> chain;  // dataset first
  for (graph::Vertex v = graph_.inputs(train).front();; v = graph_.inputs(v).front()) {
    chain.insert(chain.begin(), v);
    if (graph_.stage(v).kind == graph::StageKind::dataset) break;
  }
  DataResult data = load(chain.front());
  for (std::size_t i = 1; i < chain.size(); ++i) data = transform(chain[i], data);
  return data;
}

}  // namespace ferlab::run
