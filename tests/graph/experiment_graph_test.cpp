// The experiment graph: sweeps share common upstream stages, DOT shows it, cycles are named.
#include "graph/experiment_graph.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "../support/fixture_catalog.hpp"
#include "spec/spec_loader.hpp"

using namespace ferlab;
using graph::ExperimentGraph;
using graph::StageKind;
using testing::HasSubstr;
using testing_support::fixture_catalog;

namespace {

std::vector<spec::RunSpec> runs_of(const std::string& text) {
  spec::LoadedSpec s = spec::load_spec_text(text, "sweep.yaml", {}, fixture_catalog());
  if (!s.problems.empty()) throw std::runtime_error(s.problems.all()[0].text());
  return s.runs;
}

// Two preprocessing chains that share their first stage, two backbones, two seeds.
const char* sweep = R"(name: sharing
seeds: [1, 2]
dataset: {plugin: fixture-dataset}
preprocess: [{plugin: fixture-invert}]
model: {backbone: {plugin: fixture-net}}
sweep:
  preprocess:
    - [{plugin: fixture-invert}]
    - [{plugin: fixture-invert}, {plugin: fixture-invert}]
  model.backbone: [{plugin: fixture-net, width: 4}, {plugin: fixture-net, width: 8}]
)";

size_t count(const ExperimentGraph& g, StageKind kind) {
  size_t n = 0;
  for (size_t v = 0; v < g.size(); ++v) n += g.stage(v).kind == kind;
  return n;
}

}  // namespace

TEST(ExperimentGraph, SweepSharesDatasetAndPreprocessingPrefixes) {
  auto runs = runs_of(sweep);
  ASSERT_EQ(runs.size(), 8u);
  ExperimentGraph g = ExperimentGraph::build(runs);
  // One dataset load for all 8 runs; the first invert stage shared by all 8, the second by the
  // 4 runs of the longer chain; one train/evaluate/record per run.
  EXPECT_EQ(count(g, StageKind::dataset), 1u);
  EXPECT_EQ(count(g, StageKind::preprocess), 2u);
  EXPECT_EQ(count(g, StageKind::train), 8u);
  EXPECT_EQ(count(g, StageKind::evaluate), 8u);
  EXPECT_EQ(count(g, StageKind::record), 8u);
  std::vector<size_t> preprocess_users;
  for (size_t v = 0; v < g.size(); ++v)
    if (g.stage(v).kind == StageKind::preprocess)
      preprocess_users.push_back(g.stage(v).runs.size());
  std::sort(preprocess_users.begin(), preprocess_users.end());
  EXPECT_EQ(preprocess_users, (std::vector<size_t>{4, 8}));
}

TEST(ExperimentGraph, ChangedParametersMakeDistinctStages) {
  std::string text = sweep;
  text.replace(text.find("sweep:"), std::string::npos,
               "sweep:\n  dataset: [{plugin: fixture-dataset, per_class: 1}, "
               "{plugin: fixture-dataset, per_class: 2}]\n");
  ExperimentGraph g = ExperimentGraph::build(runs_of(text));
  EXPECT_EQ(count(g, StageKind::dataset), 2u);
  EXPECT_EQ(g.stage(0).label, "fixture-dataset(per_class=1)");
  EXPECT_EQ(count(g, StageKind::preprocess), 2u);  // same chain, different data: not shared
}

TEST(ExperimentGraph, ExecutionOrderPutsEveryStageAfterItsInputs) {
  ExperimentGraph g = ExperimentGraph::build(runs_of(sweep));
  std::vector<graph::Vertex> order = g.execution_order();
  ASSERT_EQ(order.size(), g.size());
  EXPECT_EQ(g.stage(order[0]).kind, StageKind::dataset);
  EXPECT_EQ(g.stage(order.back()).label,
            "preprocess=fixture-invert+fixture-invert,"
            "backbone=fixture-net(width=8) seed 2");
  std::vector<size_t> position(g.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  for (size_t v = 0; v < g.size(); ++v)
    for (graph::Vertex in : g.inputs(v)) EXPECT_LT(position[in], position[v]);
}

TEST(ExperimentGraph, DotShowsSharedStages) {
  std::string dot = ExperimentGraph::build(runs_of(sweep)).dot();
  EXPECT_THAT(dot, HasSubstr("digraph G {"));
  // Labels show what the spec wrote, not the defaults it left out.
  EXPECT_THAT(dot, HasSubstr("dataset\\nfixture-dataset\\n(shared by 8 runs)"));
  EXPECT_THAT(dot, HasSubstr("preprocess\\nfixture-invert\\n(shared by 4 runs)"));
  EXPECT_THAT(dot, HasSubstr("fillcolor"));
  EXPECT_THAT(dot, HasSubstr("->"));
  // Every run's own stages are not marked shared.
  EXPECT_THAT(dot, HasSubstr("[label=\"train\\npreprocess=fixture-invert,backbone=fixture-net("
                             "width=4) seed 1\"]"));
}

TEST(ExperimentGraph, CycleIsAnErrorNamingItsStages) {
  ExperimentGraph g;
  auto a = g.add_stage({StageKind::preprocess, "a", 1, 0, {0}});
  auto b = g.add_stage({StageKind::preprocess, "b", 2, 1, {0}});
  auto c = g.add_stage({StageKind::preprocess, "c", 3, 2, {0}});
  g.add_dependency(a, b);
  g.add_dependency(b, c);
  g.add_dependency(c, a);
  try {
    g.execution_order();
    FAIL() << "expected a cycle error";
  } catch (const graph::CycleError& e) {
    EXPECT_STREQ(e.what(), "the experiment graph has a cycle: a -> b -> c -> a");
  }
}

TEST(ExperimentGraph, AddingAStageTwiceSharesIt) {
  ExperimentGraph g;
  auto first = g.add_stage({StageKind::dataset, "d", 42, -1, {0}});
  auto second = g.add_stage({StageKind::dataset, "d", 42, -1, {1}});
  EXPECT_EQ(first, second);
  EXPECT_EQ(g.stage(first).runs, (std::vector<int>{0, 1}));
}
