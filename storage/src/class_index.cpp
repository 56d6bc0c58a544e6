#include "storage/class_index.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ferlab::storage {

std::size_t class_index(const Database& db, std::int64_t run, std::int64_t value,
                        std::size_t classes) {
  const std::int64_t bound =
      classes == 0 ? max_classes
                   : std::min<std::int64_t>(static_cast<std::int64_t>(classes), max_classes);
  if (value < 0 || value >= bound)
    throw StorageError(fmt::format(
        "{}: run {} names class {}, outside 0-{} (the run has {} classes; at most {} are read)",
        db.path(), run, value, bound - 1, classes, max_classes));
  return static_cast<std::size_t>(value);
}

}  // namespace ferlab::storage
