// Shared by the data-plugin tests: loads the built plugins once and creates them with their
// schema defaults plus per-test overrides, as the kernel does after resolving a spec.
#pragma once

#include <gtest/gtest.h>

#include <ferlab/augmenter.hpp>
#include <ferlab/dataset.hpp>
#include <ferlab/preprocessor.hpp>
#include <ferlab/schema_check.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "loader/plugin_catalog.hpp"

namespace ferlab::test {

struct LoadedCatalog {
  kernel::LoadDiagnostics diagnostics;
  kernel::PluginCatalog catalog;
};

inline const LoadedCatalog& loaded() {
  static const LoadedCatalog instance = [] {
    LoadedCatalog c;
    c.catalog =
        kernel::PluginCatalog::load({FERLAB_BINARY_DIR "/lib/ferlab/plugins"}, c.diagnostics);
    return c;
  }();
  return instance;
}

// Resolved as the kernel resolves a spec: schema defaults filled in, overrides checked
// against the schema (a misspelt or out-of-range override fails the test).
inline Params params_for(Kind kind, const std::string& name,
                         const std::map<std::string, Value>& overrides) {
  const auto& c = loaded();
  const kernel::PluginInfo* info = c.catalog.find(kind, name);
  if (!info) {
    std::string why;
    for (const auto& e : c.diagnostics.errors) why += "\n  " + e;
    for (const auto& w : c.diagnostics.warnings) why += "\n  " + w;
    throw std::runtime_error(std::string(to_string(kind)) + " plugin '" + name + "' not loaded" +
                             why);
  }
  std::vector<std::string> problems;
  Params p = resolve_params(info->factory.schema, Params(overrides), problems);
  if (!problems.empty()) {
    std::string why;
    for (const auto& problem : problems) why += "\n  " + problem;
    throw std::runtime_error("bad test parameters for " + name + ":" + why);
  }
  return p;
}

template <class Interface>
std::shared_ptr<Interface> make(const std::string& name,
                                const std::map<std::string, Value>& overrides = {}) {
  return loaded().catalog.create<Interface>(name, params_for(Interface::kind, name, overrides));
}

// Remembers what plugins reported.
class RecordingEvents : public EventSink {
 public:
  void warn(const std::string& code, const std::string& message) override {
    std::lock_guard lock(mutex_);
    warnings.push_back(code + ": " + message);
  }
  void count(const std::string& code, long n) override {
    std::lock_guard lock(mutex_);
    counts[code] += n;
  }
  std::vector<std::string> warnings;
  std::map<std::string, long> counts;

 private:
  std::mutex mutex_;
};

// Exact pixel equality of two images (same size and type).
inline bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  return cv::norm(a, b, cv::NORM_INF) == 0;
}

// Upright, unoccluded, evenly lit synthetic faces of the given side.
inline std::vector<Sample> clean_synthetic_faces(int size, int count = 14) {
  RecordingEvents events;
  auto dataset = make<Dataset>("synthetic-faces", {{"size", std::int64_t{size}},
                                                   {"train_count", std::int64_t{count}},
                                                   {"val_count", std::int64_t{7}},
                                                   {"test_count", std::int64_t{7}},
                                                   {"max_rotation", 0.0},
                                                   {"max_shift", 0.0},
                                                   {"scale", std::vector<double>{1, 1}},
                                                   {"lighting", 0.0},
                                                   {"noise", 0.0},
                                                   {"occlusion", 0.0}});
  return dataset->load(events).splits.at("train");
}

}  // namespace ferlab::test
