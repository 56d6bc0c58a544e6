#include "run/teacher.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "assembly/model_set.hpp"
#include "engine/loss.hpp"

namespace ferlab::run {
namespace {

void check_member(const assembly::ModelBundle& teacher, const spec::RunSpec& run,
                  const std::vector<std::string>& classes, const InputShape& shape) {
  const std::string who = fmt::format("train.distill.teacher '{}'", teacher.label);
  if (teacher.classes != classes)
    throw std::runtime_error(fmt::format("{} has classes [{}], the dataset [{}]", who,
                                         fmt::join(teacher.classes, ", "),
                                         fmt::join(classes, ", ")));
  if (teacher.shape.channels != shape.channels || teacher.shape.height != shape.height ||
      teacher.shape.width != shape.width)
    throw std::runtime_error(fmt::format(
        "{} takes {}x{}x{} inputs, the student {}x{}x{}", who, teacher.shape.channels,
        teacher.shape.height, teacher.shape.width, shape.channels, shape.height, shape.width));
  if (!spec::same_calls(teacher.run.preprocess, run.preprocess))
    throw std::runtime_error(fmt::format(
        "{} was trained with preprocessing [{}] and the student uses [{}] (or other "
        "parameters): a teacher sees the student's batches, so both need the same steps",
        who, spec::plugin_names(teacher.run.preprocess), spec::plugin_names(run.preprocess)));
}

}  // namespace

engine::Teacher make_teacher(const kernel::PluginCatalog& catalog, const spec::RunSpec& run,
                             const std::vector<std::string>& classes, const InputShape& shape,
                             const std::string& db) {
  auto teachers = std::make_shared<assembly::ModelSet>(
      assembly::load_models(catalog, run.train.distill.teachers, db));
  for (const assembly::ModelBundle& member : teachers->members())
    check_member(member, run, classes, shape);
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

}  // namespace ferlab::run
