// FER2013 as Kaggle's CSV: emotion,pixels,Usage with 2,304 space-separated pixels a row.
#pragma once

#include <ferlab/sample.hpp>
#include <filesystem>

namespace fer2013 {

// Splits by Usage: Training -> train, PublicTest -> val, PrivateTest -> test; ids "csv:<row>"
// (0-based data row). A row with the wrong pixel count, an unknown label or an unknown usage
// is an error naming its line.
ferlab::DatasetContents read_csv(const std::filesystem::path& file);

}  // namespace fer2013
