#include "run/teacher.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "assembly/data_stages.hpp"
#include "assembly/model_set.hpp"
#include "engine/loss.hpp"
#include "run/ensemble_probabilities.hpp"
#include "run/event_log.hpp"

namespace ferlab::run {
namespace {

void check_classes(const assembly::ModelBundle& teacher, const std::vector<std::string>& classes) {
  if (teacher.classes != classes)
    throw std::runtime_error(
        fmt::format("train.distill.teacher '{}' has classes [{}], the dataset [{}]", teacher.label,
                    fmt::join(teacher.classes, ", "), fmt::join(classes, ", ")));
}

// A teacher given the student's batches must take them as they are.
void check_input(const assembly::ModelBundle& teacher, const spec::RunSpec& run,
                 const InputShape& shape) {
  const std::string who = fmt::format("train.distill.teacher '{}'", teacher.label);
  if (teacher.shape.channels != shape.channels || teacher.shape.height != shape.height ||
      teacher.shape.width != shape.width)
    throw std::runtime_error(fmt::format(
        "{} takes {}x{}x{} inputs, the student {}x{}x{}", who, teacher.shape.channels,
        teacher.shape.height, teacher.shape.width, shape.channels, shape.height, shape.width));
  if (!spec::same_calls(teacher.run.preprocess, run.preprocess))
    throw std::runtime_error(fmt::format(
        "{} was trained with preprocessing [{}] and the student uses [{}] (or other "
        "parameters): a teacher sees the student's batches, so both need the same steps "
        "(or give train.distill sees: original)",
        who, spec::plugin_names(teacher.run.preprocess), spec::plugin_names(run.preprocess)));
}

engine::Teacher make_teacher(const kernel::PluginCatalog& catalog, const spec::RunSpec& run,
                             const std::vector<std::string>& classes, const InputShape& shape,
                             const std::string& db) {
  auto teachers = std::make_shared<assembly::ModelSet>(
      assembly::load_models(catalog, run.train.distill.teachers, db));
  for (const assembly::ModelBundle& member : teachers->members()) {
    check_classes(member, classes);
    check_input(member, run, shape);
  }
  const int n = static_cast<int>(classes.size());
  const std::size_t image = static_cast<std::size_t>(shape.channels) * shape.height * shape.width;
  // Scratch for one member's probabilities, shared by the calls (training is sequential).
  auto scratch = std::make_shared<std::vector<float>>();
  return [teachers, scratch, n, image](const float* input, int batch, float* probabilities) {
    const std::size_t outputs = static_cast<std::size_t>(batch) * n;
    scratch->resize(outputs);
    std::fill(probabilities, probabilities + outputs, 0.f);
    const float share = 1.f / static_cast<float>(teachers->members().size());
    for (assembly::ModelBundle& member : teachers->members()) {
      engine::Network& network = *member.network;
      if (network.batch() != batch) network.prepare(batch);
      std::copy(input, input + batch * image, network.input());
      engine::softmax_rows(network.forward(false), batch, n, scratch->data());
      for (std::size_t e = 0; e < outputs; ++e) probabilities[e] += share * (*scratch)[e];
    }
  };
}

// Row i (classes floats): the teachers' mean probabilities on train[i]'s original image.
std::vector<float> teacher_targets(const kernel::PluginCatalog& catalog, const spec::RunSpec& run,
                                   const std::vector<std::string>& classes,
                                   const std::vector<Sample>& train, const std::string& db) {
  assembly::ModelSet teachers = assembly::load_models(catalog, run.train.distill.teachers, db);
  for (const assembly::ModelBundle& member : teachers.members()) check_classes(member, classes);
  // The images before the student's preprocessing; the run's data flow has reported the
  // dataset's warnings already, so this load's go unrecorded.
  EventLog unrecorded;
  const DatasetContents data = assembly::load_dataset(catalog, run.dataset, unrecorded);
  std::unordered_map<std::string, const Sample*> by_id;
  for (const Sample& s : data.splits.at("train")) by_id.emplace(s.id, &s);
  std::vector<Sample> originals;
  originals.reserve(train.size());
  for (const Sample& s : train) {
    const auto found = by_id.find(s.id);
    if (found == by_id.end())
      throw std::runtime_error(fmt::format(
          "train.distill sees: original: training image '{}' is not in the train split of "
          "dataset {} as it loads again for the teachers (did its files change during the run?)",
          s.id, run.dataset.plugin));
    originals.push_back(*found->second);
  }
  const auto mean = ensemble_probabilities(teachers, originals, {run.train.distill.tta}).front();
  std::vector<float> rows;
  rows.reserve(train.size() * classes.size());
  for (const std::vector<float>& p : mean) rows.insert(rows.end(), p.begin(), p.end());
  return rows;
}

}  // namespace

std::string attach_teachers(engine::Trainer& trainer, const kernel::PluginCatalog& catalog,
                            const spec::RunSpec& run, const DatasetContents& data,
                            const InputShape& shape, const std::string& db) {
  const options::DistillOptions& d = run.train.distill;
  if (d.sees == options::TeacherSees::augmented)
    trainer.set_teacher(make_teacher(catalog, run, data.classes, shape, db));
  else
    trainer.set_teacher_targets(
        teacher_targets(catalog, run, data.classes, data.splits.at("train"), db));
  return fmt::format("distilling from {} (temperature {}, weight {}{})",
                     fmt::join(d.teachers, " + "), d.temperature, d.weight,
                     d.sees == options::TeacherSees::augmented
                         ? ""
                         : ", teachers saw the original images, TTA " + options::name_of(d.tta));
}

}  // namespace ferlab::run
