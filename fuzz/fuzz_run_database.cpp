// The run database's readers on arbitrary bytes as an SQLite file: opening (with its schema
// checks) and the queries behind `ferlab runs`, `show`, `export --csv` and the report's data.
// Either they read or they throw StorageError naming the file.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "storage/aggregate.hpp"
#include "storage/run_outputs.hpp"
#include "storage/run_queries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ferlab-fuzz-" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(file.string() + "-wal");
  std::filesystem::remove(file.string() + "-shm");
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    ferlab::storage::Database db(file.string(), false);
    for (const ferlab::storage::RunRow& run : ferlab::storage::list_runs(db, std::nullopt)) {
      ferlab::storage::run_details(db, run.id);
      ferlab::storage::run_predictions(db, run.id);
      ferlab::storage::run_artifacts(db, run.id, true);
    }
    ferlab::storage::aggregate_variants(db, std::nullopt);
    ferlab::storage::metrics_csv(db, std::nullopt);
  } catch (const ferlab::storage::StorageError&) {
  }
  return 0;
}
