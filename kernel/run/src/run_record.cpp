#include "run/run_record.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace ferlab::run {
namespace {

void flatten(const YAML::Node& node, const std::string& path,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (node.IsMap()) {
    for (const auto& entry : node)
      flatten(
          entry.second,
          path.empty() ? entry.first.as<std::string>() : path + "." + entry.first.as<std::string>(),
          out);
    return;
  }
  if (node.IsSequence()) {
    bool scalars = true;
    for (const auto& item : node) scalars = scalars && item.IsScalar();
    if (!scalars) {
      for (size_t i = 0; i < node.size(); ++i)
        flatten(node[i], path + "[" + std::to_string(i) + "]", out);
      return;
    }
  }
  YAML::Emitter text;
  text << YAML::Flow << node;
  out.emplace_back(path, node.IsNull() ? "" : text.c_str());
}

}  // namespace

std::optional<std::string> dataset_fold(const spec::PluginCall& dataset) {
  const Params& p = dataset.params;
  if (!p.has("fold") || (p.has("split") && p.text("split") != "kfold")) return std::nullopt;
  return p.text("fold");
}

std::vector<std::pair<std::string, std::string>> flatten_spec(const std::string& resolved_yaml) {
  std::vector<std::pair<std::string, std::string>> out;
  flatten(YAML::Load(resolved_yaml), "", out);
  return out;
}

storage::RunInfo run_info(const spec::RunSpec& run, const std::string& spec_text,
                          const Environment& env) {
  storage::RunInfo info;
  info.experiment = run.experiment;
  info.variant = run.variant;
  info.seed = run.seed;
  info.fold = dataset_fold(run.dataset);
  info.spec_file = run.spec_file;
  info.spec_text = spec_text;
  info.resolved_spec = run.resolved_yaml;
  info.host = env.host;
  info.cpu = env.cpu;
  info.threads = env.threads;
  info.pid = getpid();
  info.ferlab_version = env.ferlab_version;
  info.git_revision = env.git_revision;
  info.onednn_version = env.onednn_version;
  info.opencv_version = env.opencv_version;
  auto add = [&info](const char* kind, const spec::PluginCall& call) {
    info.plugins.push_back({kind, call.plugin, call.version});
  };
  add("dataset", run.dataset);
  for (const auto& c : run.preprocess) add("preprocessor", c);
  for (const auto& c : run.augment) add("augmenter", c);
  if (run.backbone) add("backbone", *run.backbone);
  info.params = flatten_spec(run.resolved_yaml);
  // A search's trial: what `ferlab search` and halving group the runs by.
  if (run.trial >= 0) info.params.emplace_back("search.trial", std::to_string(run.trial));
  return info;
}

}  // namespace ferlab::run
