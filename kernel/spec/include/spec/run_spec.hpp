// One run of an experiment, fully resolved: what the graph and the runner work from.
#pragma once

#include <cstdint>
#include <ferlab/network.hpp>
#include <ferlab/params.hpp>
#include <optional>
#include <string>
#include <vector>

#include "options/train_options.hpp"

namespace ferlab::spec {

struct PluginCall {
  std::string plugin;
  std::string version;               // of the library that registered the plugin
  Params params;                     // resolved: every key of the schema, defaults filled in
  std::vector<std::string> written;  // the parameters the spec gave (for short labels)
};

// The calls' plugin names, comma-separated ("none" when there are none).
inline std::string plugin_names(const std::vector<PluginCall>& calls) {
  std::string names;
  for (const PluginCall& c : calls) names += (names.empty() ? "" : ", ") + c.plugin;
  return names.empty() ? "none" : names;
}

// The same plugins in the same order with the same (resolved) parameters.
inline bool same_calls(const std::vector<PluginCall>& a, const std::vector<PluginCall>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].plugin != b[i].plugin || a[i].params.values() != b[i].params.values()) return false;
  return true;
}

struct RunSpec {
  std::string experiment;
  std::string description;
  std::string variant;  // "backbone=vgg,lr=0.1"; empty when the spec has no sweep
  std::int64_t seed = 1;
  std::vector<std::int64_t> seeds;  // all seeds of the experiment (this run has `seed`)
  int index = 0;                    // position in the expanded list of runs (for --shard)
  int trial = -1;                   // a search's trial (0-based); -1 outside a search
  std::string spec_file;

  PluginCall dataset;
  std::vector<PluginCall> preprocess;
  std::vector<PluginCall> augment;
  std::optional<PluginCall> backbone;  // either a backbone ...
  NetworkDef layers;                   // ... or an inline network (params resolved)
  std::string init_from;               // checkpoint to fine-tune from; empty = none
  options::TrainOptions train;
  std::vector<std::string> eval_splits;
  std::vector<options::Tta> tta;

  std::string resolved_yaml;  // this run's spec with every default filled in
};

}  // namespace ferlab::spec
