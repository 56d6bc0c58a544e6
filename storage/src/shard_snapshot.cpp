#include "storage/shard_snapshot.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

namespace ferlab::storage {
namespace fs = std::filesystem;

std::string snapshot_path(const std::string& db_path) { return db_path + ".snapshot"; }

void publish_snapshot(Database& db) {
  const std::string target = snapshot_path(db.path());
  const std::string temporary = fmt::format("{}.{}.tmp", target, ::getpid());
  std::error_code ignored;
  fs::remove(temporary, ignored);  // VACUUM INTO refuses an existing file
  Statement vacuum(db, "VACUUM INTO ?");
  vacuum.bind(1, temporary);
  vacuum.run();
  std::error_code error;
  fs::rename(temporary, target, error);
  if (error)
    throw StorageError(
        fmt::format("{}: cannot publish the search snapshot: {}", target, error.message()));
}

std::vector<TrialRun> published_trial_runs(const std::string& db_path,
                                           const std::string& experiment) {
  const std::string snapshot = snapshot_path(db_path);
  if (!fs::exists(snapshot)) return {};
  const fs::path copy = fs::temp_directory_path() /
                        fmt::format("ferlab-peer-{}-{}.db", ::getpid(),
                                    std::hash<std::string>{}(fs::absolute(snapshot).string()));
  struct RemoveCopy {  // with the files SQLite opens beside it, however this ends
    const fs::path& copy;
    ~RemoveCopy() {
      std::error_code ignored;
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy.string() + suffix, ignored);
    }
  } remove_copy{copy};
  std::error_code error;
  fs::copy_file(snapshot, copy, fs::copy_options::overwrite_existing, error);
  if (error)
    throw StorageError(
        fmt::format("{}: cannot read the search snapshot: {}", snapshot, error.message()));
  try {
    Database peer(copy.string(), false);
    return trial_runs(peer, experiment);
  } catch (const StorageError& e) {
    throw StorageError(fmt::format("{} (a copy of {})", e.what(), snapshot));
  }
}

}  // namespace ferlab::storage
