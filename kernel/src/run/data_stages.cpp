#include "run/data_stages.hpp"

#include <fmt/format.h>

#include <ferlab/dataset.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/core/utility.hpp>
#include <stdexcept>

namespace ferlab::run {

DatasetContents load_dataset(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                             EventLog& events) {
  auto dataset = catalog.create<Dataset>(call.plugin, call.params);
  DatasetContents contents = dataset->load(events);
  auto fail = [&](const std::string& what) {
    throw std::runtime_error(fmt::format("dataset '{}': {}", call.plugin, what));
  };
  if (contents.classes.empty()) fail("it names no classes");
  if (contents.splits["train"].empty()) fail("its train split is empty");
  for (const auto& [split, samples] : contents.splits)
    for (const Sample& s : samples)
      if (s.label < 0 || s.label >= static_cast<int>(contents.classes.size()) || s.image.empty())
        fail(fmt::format("sample '{}' in split '{}' has label {} of {} classes or no pixels", s.id,
                         split, s.label, contents.classes.size()));
  return contents;
}

DatasetContents preprocess(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                           const DatasetContents& input, EventLog& events) {
  auto step = catalog.create<Preprocessor>(call.plugin, call.params);
  auto train = input.splits.find("train");
  step->fit(train == input.splits.end() ? std::vector<Sample>{} : train->second);
  DatasetContents output{input.classes, {}};
  for (const auto& [split, samples] : input.splits) {
    std::vector<Sample>& out = output.splits[split];
    out.resize(samples.size());
    cv::parallel_for_(cv::Range(0, static_cast<int>(samples.size())), [&](const cv::Range& r) {
      for (int i = r.start; i < r.end; ++i)
        out[i] = {step->apply(samples[i].image, events), samples[i].label, samples[i].id};
    });
  }
  return output;
}

}  // namespace ferlab::run
