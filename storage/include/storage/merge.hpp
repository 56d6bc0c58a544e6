// `ferlab db merge`: runs from databases written by separate processes (`--shard I/N`, a
// cluster job array) into one, without duplicates.
#pragma once

#include <string>

#include "storage/sqlite.hpp"

namespace ferlab::storage {

struct MergeCount {
  int added = 0;     // runs copied
  int replaced = 0;  // unfinished runs replaced by a finished copy
  int skipped = 0;   // already there
};

// Copies every run of the database `input` into `out` with all its rows. A run is identified
// by experiment, variant, seed and fold: one already in `out` is kept, unless it is unfinished
// and the input's copy finished. Checkpoint paths are rewritten relative to `out`'s
// directory. One transaction. Throws StorageError naming the file.
MergeCount merge_database(Database& out, const std::string& input);

}  // namespace ferlab::storage
