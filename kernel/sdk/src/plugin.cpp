// Out-of-line pieces of the SDK: key functions (so vtables live here once) and kind names.
#include <ferlab/augmenter.hpp>
#include <ferlab/backbone.hpp>
#include <ferlab/batch_augmenter.hpp>
#include <ferlab/dataset.hpp>
#include <ferlab/events.hpp>
#include <ferlab/layer.hpp>
#include <ferlab/preprocessor.hpp>
#include <stdexcept>

namespace ferlab {

PluginObject::~PluginObject() = default;
Registry::~Registry() = default;
EventSink::~EventSink() = default;

void Preprocessor::fit(const std::vector<Sample>&) {}
std::string Preprocessor::fitted_state() const { return {}; }
void Preprocessor::restore(const std::string& state) {
  if (!state.empty())
    throw std::invalid_argument("this preprocessor learns nothing in fit(), yet got a state");
}
void BatchAugmenter::apply(cv::Mat&, Rng&) const {}

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::dataset:
      return "dataset";
    case Kind::preprocessor:
      return "preprocessor";
    case Kind::augmenter:
      return "augmenter";
    case Kind::layer:
      return "layer";
    case Kind::backbone:
      return "backbone";
  }
  return "?";
}

bool parse_kind(const std::string& text, Kind& kind) {
  for (Kind k : all_kinds) {
    if (text == to_string(k)) {
      kind = k;
      return true;
    }
  }
  return false;
}

}  // namespace ferlab
