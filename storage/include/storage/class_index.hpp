// Class indexes read back from a run database (confusion matrices, predictions) size matrices:
// in a tampered or damaged file, an index of 2^40 or -1 must be an error naming the file, not
// an allocation of terabytes or a crash.
#pragma once

#include <cstddef>
#include <cstdint>

#include "storage/sqlite.hpp"

namespace ferlab::storage {

// More classes than any facial expression dataset (7 or 8) or image-folder tree will have.
inline constexpr std::int64_t max_classes = 1000;

// `value` as an index into `run`'s classes, which number `classes` (0 when the run recorded
// none: then up to max_classes); throws StorageError naming the database file otherwise.
std::size_t class_index(const Database& db, std::int64_t run, std::int64_t value,
                        std::size_t classes);

}  // namespace ferlab::storage
