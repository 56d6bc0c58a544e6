// The on-disk cache of data stages: decoded and preprocessed images, stored once per dataset
// content and preprocessing chain, so a later run with the same chain reads them back instead
// of decoding and preprocessing again.
#pragma once

#include <cstdint>
#include <ferlab/sample.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "run/event_log.hpp"
#include "spec/run_spec.hpp"

namespace ferlab::run {

// Content hash of the files a dataset reads: for each string parameter naming an existing file,
// its bytes; for one naming a folder, the relative path and bytes of every file below it, in
// sorted order. 0 when no parameter names a file (generated data: the parameters are the key).
// FNV-1a: detects changed data, not tampering.
std::uint64_t dataset_files_hash(const spec::PluginCall& dataset);

// The cache key of a data stage's output: its graph key (the chain of plugins, versions and
// resolved parameters up to it) combined with the dataset files' content hash.
std::uint64_t cache_key(std::uint64_t stage_key, std::uint64_t files_hash);

// Where the cache lives: `option` when given ("off" disables it), else $FERLAB_CACHE, else
// `ferlab-cache/` in the run database's folder. Empty path = disabled.
std::filesystem::path cache_location(const std::string& option, const std::string& database);

class DataCache {
 public:
  explicit DataCache(std::filesystem::path dir = {}) : dir_(std::move(dir)) {}
  bool enabled() const { return !dir_.empty(); }
  // Whether an entry of this format version is stored under `key` (its header is read).
  bool contains(std::uint64_t key) const;
  // The stored images, with the stored events (of the stage and everything upstream) replayed
  // into `events` and the fitted states of its preprocessing chain (one per step, in order)
  // put in `fitted_states`; null when absent or written by another version of the format. A
  // damaged entry is a miss, with a warning.
  std::shared_ptr<const DatasetContents> load(std::uint64_t key, EventLog& events,
                                              std::vector<std::string>& fitted_states) const;
  // Writes atomically (a temporary file renamed), so parallel shards never read half a file.
  // A failed write is a warning: the run goes on uncached.
  void store(std::uint64_t key, const DatasetContents& contents, const EventLog& events,
             const std::vector<std::string>& fitted_states = {}) const;
  std::filesystem::path file(std::uint64_t key) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace ferlab::run
