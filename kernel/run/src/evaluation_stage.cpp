#include "run/evaluation_stage.hpp"

#include "metrics/metrics.hpp"
#include "run/tta.hpp"

namespace ferlab::run {

std::vector<SplitEvaluation> evaluate_checkpoint(engine::Network& network,
                                                 const std::vector<Sample>& samples, int classes,
                                                 const std::string& split,
                                                 const std::vector<options::Tta>& modes,
                                                 const std::string& checkpoint) {
  std::vector<std::vector<std::vector<float>>> by_mode = tta_probabilities(network, samples, modes);
  std::vector<SplitEvaluation> out;
  for (std::size_t m = 0; m < modes.size(); ++m)
    out.push_back(evaluate_probabilities(std::move(by_mode[m]), samples, classes, split, modes[m],
                                         checkpoint));
  return out;
}

SplitEvaluation evaluate_probabilities(std::vector<std::vector<float>> probabilities,
                                       const std::vector<Sample>& samples, int classes,
                                       const std::string& split, options::Tta tta,
                                       const std::string& checkpoint) {
  std::vector<int> truth;
  for (const Sample& s : samples) truth.push_back(s.label);
  const metrics::Metrics m = metrics::classification_metrics(truth, probabilities, classes);

  SplitEvaluation out;
  storage::Evaluation& e = out.figures;
  e.split = split;
  e.tta = options::name_of(tta);
  e.checkpoint = checkpoint;
  e.metrics = {{"accuracy", m.accuracy}, {"balanced_accuracy", m.balanced_accuracy},
               {"macro_f1", m.macro_f1}, {"weighted_f1", m.weighted_f1},
               {"kappa", m.kappa},       {"top2_accuracy", m.top2_accuracy},
               {"log_loss", m.log_loss}, {"samples", static_cast<double>(samples.size())}};
  for (int k = 0; k < classes; ++k) {
    const metrics::ClassMetrics& c = m.per_class[k];
    e.per_class.push_back({"precision", k, c.precision});
    e.per_class.push_back({"recall", k, c.recall});
    e.per_class.push_back({"f1", k, c.f1});
    e.per_class.push_back({"support", k, static_cast<double>(c.support)});
  }
  e.confusion.assign(classes, std::vector<std::int64_t>(classes, 0));
  out.predictions = {split, e.tta, checkpoint, {}};
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const int predicted = metrics::argmax(probabilities[i].data(), classes);
    ++e.confusion[truth[i]][predicted];
    out.predictions.rows.push_back(
        {samples[i].id, truth[i], predicted, std::move(probabilities[i])});
  }
  return out;
}

}  // namespace ferlab::run
