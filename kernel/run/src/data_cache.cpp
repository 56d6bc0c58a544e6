#include "run/data_cache.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "graph/experiment_graph.hpp"

namespace ferlab::run {
namespace {

namespace fs = std::filesystem;

// Version 2: magic, classes, events, the fitted states of the preprocessing chain, then per
// split its samples (id, label, rows, cols, OpenCV type, pixels). Native byte order: the cache
// belongs to one machine. Files of another version are misses (contains() reads the header),
// rewritten by the next store.
constexpr char kMagic[8] = {'F', 'E', 'R', 'L', 'C', 'A', 'C', '2'};

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw std::runtime_error("cannot read " + file.string());
  return bytes;
}

class Writer {
 public:
  template <class T>
  void pod(T value) {
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void text(const std::string& s) {
    pod<std::uint64_t>(s.size());
    bytes_ += s;
  }
  void raw(const void* data, std::size_t n) { bytes_.append(static_cast<const char*>(data), n); }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  template <class T>
  T pod() {
    T value;
    std::memcpy(&value, take(sizeof value), sizeof value);
    return value;
  }
  std::string text() {
    const auto n = pod<std::uint64_t>();
    return std::string(take(n), n);
  }
  const char* take(std::size_t n) {
    if (n > bytes_.size() - at_) throw std::runtime_error("truncated");
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }

 private:
  const std::string& bytes_;
  std::size_t at_ = 0;
};

std::string serialize(const DatasetContents& contents, const EventLog& events,
                      const std::vector<std::string>& fitted_states) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.pod<std::uint64_t>(contents.classes.size());
  for (const std::string& c : contents.classes) w.text(c);
  const auto entries = events.entries();
  w.pod<std::uint64_t>(entries.size());
  for (const auto& [code, entry] : entries) {
    w.text(code);
    w.pod<std::int64_t>(entry.count);
    w.text(entry.first_message);
  }
  w.pod<std::uint64_t>(fitted_states.size());
  for (const std::string& state : fitted_states) w.text(state);
  w.pod<std::uint64_t>(contents.splits.size());
  for (const auto& [split, samples] : contents.splits) {
    w.text(split);
    w.pod<std::uint64_t>(samples.size());
    for (const Sample& s : samples) {
      const cv::Mat image = s.image.isContinuous() ? s.image : s.image.clone();
      w.text(s.id);
      w.pod<std::int32_t>(s.label);
      w.pod<std::int32_t>(image.rows);
      w.pod<std::int32_t>(image.cols);
      w.pod<std::int32_t>(image.type());
      w.raw(image.data, image.total() * image.elemSize());
    }
  }
  return w.bytes();
}

DatasetContents deserialize(const std::string& bytes, EventLog& events,
                            std::vector<std::string>& fitted_states) {
  Reader r(bytes);
  if (std::memcmp(r.take(sizeof kMagic), kMagic, sizeof kMagic) != 0)
    throw std::runtime_error("not a ferlab cache file of this version");
  DatasetContents contents;
  for (auto n = r.pod<std::uint64_t>(); n > 0; --n) contents.classes.push_back(r.text());
  for (auto n = r.pod<std::uint64_t>(); n > 0; --n) {
    std::string code = r.text();
    const auto count = r.pod<std::int64_t>();
    std::string message = r.text();
    // Replayed as they happened: the first message warns again, the rest only counts.
    if (!message.empty() && count > 0) {
      events.warn(code, message);
      if (count > 1) events.count(code, count - 1);
    } else {
      events.count(code, count);
    }
  }
  for (auto n = r.pod<std::uint64_t>(); n > 0; --n) fitted_states.push_back(r.text());
  for (auto n = r.pod<std::uint64_t>(); n > 0; --n) {
    std::vector<Sample>& samples = contents.splits[r.text()];
    samples.resize(r.pod<std::uint64_t>());
    for (Sample& s : samples) {
      s.id = r.text();
      s.label = r.pod<std::int32_t>();
      const auto rows = r.pod<std::int32_t>(), cols = r.pod<std::int32_t>();
      const auto type = r.pod<std::int32_t>();
      s.image.create(rows, cols, type);
      const std::size_t n_bytes = s.image.total() * s.image.elemSize();
      std::memcpy(s.image.data, r.take(n_bytes), n_bytes);
    }
  }
  return contents;
}

}  // namespace

std::uint64_t dataset_files_hash(const spec::PluginCall& dataset) {
  std::uint64_t h = 0;
  for (const auto& [name, value] : dataset.params.values()) {
    const auto* text = std::get_if<std::string>(&value);
    if (!text || text->empty()) continue;
    const fs::path root(*text);
    std::error_code error;
    if (fs::is_regular_file(root, error)) {
      h = graph::hash_text(graph::hash_text(h, name), read_all(root));
    } else if (fs::is_directory(root, error)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      h = graph::hash_text(h, name);
      for (const fs::path& f : files)
        h = graph::hash_text(graph::hash_text(h, fs::relative(f, root).string()), read_all(f));
    }
  }
  return h;
}

std::uint64_t cache_key(std::uint64_t stage_key, std::uint64_t files_hash) {
  return graph::hash_text(stage_key, fmt::format("files {:016x}", files_hash));
}

fs::path cache_location(const std::string& option, const std::string& database) {
  if (option == "off") return {};
  if (!option.empty()) return option;
  if (const char* env = std::getenv("FERLAB_CACHE"); env && *env)
    return std::string(env) == "off" ? fs::path() : fs::path(env);
  return fs::absolute(database).parent_path() / "ferlab-cache";
}

fs::path DataCache::file(std::uint64_t key) const {
  return dir_ / fmt::format("{:016x}.images", key);
}

bool DataCache::contains(std::uint64_t key) const {
  if (!enabled()) return false;
  // The header too: a file of another format version is no use, and the stage before it must
  // not be skipped on its account.
  std::ifstream in(file(key), std::ios::binary);
  char magic[sizeof kMagic] = {};
  return in.read(magic, sizeof magic) && std::memcmp(magic, kMagic, sizeof kMagic) == 0;
}

std::shared_ptr<const DatasetContents> DataCache::load(
    std::uint64_t key, EventLog& events, std::vector<std::string>& fitted_states) const {
  if (!contains(key)) return nullptr;
  try {
    EventLog stored;  // both merged only once the whole file has been read
    std::vector<std::string> states;
    auto contents =
        std::make_shared<const DatasetContents>(deserialize(read_all(file(key)), stored, states));
    events.merge(stored);
    fitted_states = std::move(states);
    return contents;
  } catch (const std::exception& e) {
    events.warn("cache-unreadable", fmt::format("ignoring the damaged cache file {}: {}",
                                                file(key).string(), e.what()));
    return nullptr;
  }
}

void DataCache::store(std::uint64_t key, const DatasetContents& contents, const EventLog& events,
                      const std::vector<std::string>& fitted_states) const {
  if (!enabled()) return;
  const fs::path target = file(key);
  const fs::path temporary = target.string() + fmt::format(".{}.tmp", ::getpid());
  try {
    fs::create_directories(dir_);
    {
      std::ofstream out(temporary, std::ios::binary);
      const std::string bytes = serialize(contents, events, fitted_states);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out.flush()) throw std::runtime_error("write failed (disk full?)");
    }
    fs::rename(temporary, target);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    fmt::print(stderr, "warning: could not cache images in {}: {}\n", target.string(), e.what());
  }
}

}  // namespace ferlab::run
