// Learning-rate range tests (`ferlab lr-find SPEC --db F`) kept beside an experiment's runs, so
// that its report can show the loss curve and the suggested rate.
#pragma once

#include <string>
#include <vector>

#include "storage/sqlite.hpp"

namespace ferlab::storage {

struct LrFindRecord {
  std::string experiment, variant;  // the spec's first run, which the test trained
  std::string created, spec_text;
  int steps = 0;              // asked for
  double start = 0, end = 0;  // the rates the test grew between
  double suggested = 0, minimum = 0;
  std::string stopped;                          // why it ended early, if it did
  std::vector<double> rates, losses, smoothed;  // per step taken
};

// Records the test (migrating the database first, as a run store does).
void record_lr_find(Database& db, const LrFindRecord& record);

// The tests recorded for `experiment`, newest first.
std::vector<LrFindRecord> lr_finds(Database& db, const std::string& experiment);

}  // namespace ferlab::storage
