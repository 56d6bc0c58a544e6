#include "assembly/data_stages.hpp"

#include <fmt/format.h>

#include <ferlab/dataset.hpp>
#include <ferlab/preprocessor.hpp>
#include <opencv2/core/utility.hpp>
#include <stdexcept>

namespace ferlab::assembly {

DatasetContents load_dataset(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                             EventSink& events) {
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

std::shared_ptr<Preprocessor> make_preprocessor(const kernel::PluginCatalog& catalog,
                                                const spec::PluginCall& call) {
  return catalog.create<Preprocessor>(call.plugin, call.params);
}

cv::Mat apply_preprocessor(const Preprocessor& step, const cv::Mat& image, EventSink& events) {
  cv::Mat out = step.apply(image, events);
  if (out.empty()) throw std::runtime_error("it returned no pixels");
  return out;
}

DatasetContents preprocess(const kernel::PluginCatalog& catalog, const spec::PluginCall& call,
                           const DatasetContents& input, EventSink& events,
                           std::string* fitted_state) {
  std::shared_ptr<Preprocessor> step = make_preprocessor(catalog, call);
  auto train = input.splits.find("train");
  step->fit(train == input.splits.end() ? std::vector<Sample>{} : train->second);
  if (fitted_state) *fitted_state = step->fitted_state();
  DatasetContents output{input.classes, {}};
  for (const auto& [split, samples] : input.splits) {
    std::vector<Sample> out(samples.size());
    std::vector<char> failed(samples.size(), 0);
    cv::parallel_for_(cv::Range(0, static_cast<int>(samples.size())), [&](const cv::Range& r) {
      for (int i = r.start; i < r.end; ++i) {
        // One image the step cannot handle is skipped and counted, not the end of the run.
        try {
          out[i] = {apply_preprocessor(*step, samples[i].image, events), samples[i].label,
                    samples[i].id};
        } catch (const std::exception& e) {
          failed[i] = 1;
          events.warn("preprocess-failed",
                      fmt::format("preprocessor '{}' failed on sample '{}' ({}); skipped",
                                  call.plugin, samples[i].id, e.what()));
        }
      }
    });
    std::vector<Sample>& kept = output.splits[split];
    for (std::size_t i = 0; i < out.size(); ++i)
      if (!failed[i]) kept.push_back(std::move(out[i]));
    if (kept.empty() && !samples.empty())
      throw std::runtime_error(fmt::format("it failed on every image of split '{}'", split));
  }
  return output;
}

}  // namespace ferlab::assembly
