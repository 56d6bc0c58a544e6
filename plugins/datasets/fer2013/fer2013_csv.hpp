// FER2013 as Kaggle's CSV: emotion,pixels,Usage with 2,304 space-separated pixels a row.
#pragma once

#include <ferlab/sample.hpp>
#include <filesystem>

namespace fer2013 {

// Bounds on what a CSV may make the reader hold (the file is read whole), far above Kaggle's
// fer2013.csv (301 MB, 35,888 lines of at most 9.3 kB); past one, read_csv names file and limit.
struct CsvLimits {
  static constexpr size_t file_bytes = size_t{1} << 30;  // 1 GiB
  static constexpr size_t line_bytes = 64 << 10;         // 64 KiB
  static constexpr size_t rows = 1'000'000;
};

// Splits by Usage: Training -> train, PublicTest -> val, PrivateTest -> test; ids "csv:<row>"
// (0-based data row). A row with the wrong pixel count, an unknown label or an unknown usage
// is an error naming its line, as is a row with more than 2,304 values or a line or file past
// CsvLimits.
ferlab::DatasetContents read_csv(const std::filesystem::path& file);

}  // namespace fer2013
