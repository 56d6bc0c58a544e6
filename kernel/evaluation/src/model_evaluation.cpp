#include "evaluation/model_evaluation.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "assembly/data_stages.hpp"
#include "loader/text.hpp"
#include "run/ensemble_probabilities.hpp"
#include "run/environment.hpp"
#include "run/evaluation_stage.hpp"
#include "run/event_log.hpp"
#include "run/run_record.hpp"

namespace ferlab::evaluation {
namespace {

// The dataset the (first) model was trained on, at `data` when given: the parameter a dataset
// plugin reads its location from is `path` (fer2013) or `root` (image-folder).
spec::PluginCall dataset_call(const assembly::ModelBundle& model, const std::string& data) {
  spec::PluginCall call = model.run.dataset;
  if (data.empty()) return call;
  for (const char* key : {"path", "root"})
    if (call.params.has(key)) {
      call.params.set(key, Value(data));
      return call;
    }
  throw std::runtime_error(
      fmt::format("{}: its dataset plugin '{}' takes no 'path' or 'root' for --data", model.label,
                  call.plugin));
}

storage::RunInfo describe(const std::vector<assembly::ModelBundle>& members,
                          const EvaluationRequest& request, const std::string& variant) {
  const assembly::ModelBundle& first = members.front();
  storage::RunInfo info = run::run_info(
      first.run, first.spec_text, run::describe_environment(run::use_threads(request.threads)));
  info.experiment = request.experiment;
  info.variant = variant;
  info.spec_file = first.file.string();
  std::vector<std::string> files;
  for (const assembly::ModelBundle& m : members) files.push_back(m.file.string());
  if (members.size() > 1) {
    info.seed = 0;
    info.params = {{"ensemble.size", std::to_string(members.size())}};
  }
  info.params.emplace_back("model", variant);
  info.params.emplace_back("model.files", kernel::join(files, "\n"));
  if (!request.data.empty()) info.params.emplace_back("dataset.location", request.data);
  return info;
}

// Parameters and multiply-accumulates per image, of all members together.
storage::Evaluation model_size(std::vector<assembly::ModelBundle>& members) {
  storage::Evaluation size;
  size.split = "model";
  double parameters = 0, macs = 0;
  for (assembly::ModelBundle& m : members) {
    parameters += static_cast<double>(m.network->parameter_count());
    macs += static_cast<double>(m.network->macs());
  }
  size.metrics = {{"parameters", parameters}, {"macs", macs}};
  return size;
}

// One split under each TTA mode: the members' mean probabilities, recorded and printed.
void evaluate_split(EvaluationResult& result, const std::vector<Sample>& samples,
                    const std::string& split, const std::vector<options::Tta>& modes,
                    storage::RunStore& store) {
  const int k = static_cast<int>(result.models.classes().size());
  auto mean = run::ensemble_probabilities(result.models, samples, modes);
  for (std::size_t m = 0; m < modes.size(); ++m) {
    const options::Tta tta = modes[m];
    const run::SplitEvaluation e =
        run::evaluate_probabilities(std::move(mean[m]), samples, k, split, tta, "best");
    store.record_evaluation(result.run, e.figures);
    store.record_predictions(result.run, e.predictions);
    result.figures.push_back(e.figures);
    fmt::print(stderr, "run {}: {} accuracy {:.4f} ({}{})\n", result.run, split,
               e.figures.metric("accuracy"), result.models.label(),
               tta == options::Tta::none ? "" : ", TTA " + options::name_of(tta));
  }
}

}  // namespace

EvaluationResult evaluate_models(const kernel::PluginCatalog& catalog,
                                 const EvaluationRequest& request) {
  EvaluationResult result{0, assembly::load_models(catalog, request.models, request.db), {}};
  std::vector<assembly::ModelBundle>& members = result.models.members();
  const std::vector<std::string>& classes = result.models.classes();
  run::EventLog events;
  const spec::PluginCall call = dataset_call(members.front(), request.data);
  const DatasetContents data = assembly::load_dataset(catalog, call, events);
  if (data.classes != classes)
    throw std::runtime_error(
        fmt::format("dataset {} has classes {}, the model {}: it was trained on other classes",
                    call.plugin, kernel::join(data.classes, ", "), kernel::join(classes, ", ")));
  for (const std::string& split : request.splits)
    if (!data.splits.count(split) || data.splits.at(split).empty())
      throw std::runtime_error(
          fmt::format("dataset {} has no '{}' split to evaluate on", call.plugin, split));

  storage::RunStore store(request.db);
  result.run = store.begin_run(describe(members, request, result.models.label()), classes);
  try {
    store.record_evaluation(result.run, model_size(members));
    for (const std::string& split : request.splits)
      evaluate_split(result, data.splits.at(split), split, request.tta, store);
    for (const auto& [code, entry] : events.entries())
      store.record_event(result.run, code, entry.first_message, entry.count);
  } catch (const std::exception& e) {
    store.finish_run(result.run, storage::RunStatus::failed, e.what());
    throw;
  }
  store.finish_run(result.run, storage::RunStatus::finished);
  return result;
}

}  // namespace ferlab::evaluation
