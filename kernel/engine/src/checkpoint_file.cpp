#include "engine/checkpoint_file.hpp"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <string_view>

namespace ferlab::engine {
namespace {

constexpr char magic[8] = {'F', 'E', 'R', 'L', 'A', 'B', 'C', 'K'};
constexpr std::size_t header_bytes = sizeof(magic) + 4 + 8 + 8;

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}
void put_string(std::string& out, const std::string& s) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

// Reads the payload front to back; running past its end means the writer and reader disagree.
class Reader {
 public:
  Reader(const std::string& bytes, std::size_t offset, std::string file)
      : bytes_(bytes), at_(offset), file_(std::move(file)) {}
  template <class T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  std::string get_string() {
    const auto n = get<std::uint32_t>();
    return std::string(take(n), n);
  }
  std::size_t left() const { return bytes_.size() - at_; }
  std::size_t offset() const { return at_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(
        fmt::format("{}: malformed checkpoint payload at byte {}: {}", file_, at_, what));
  }
  const char* take(std::size_t n) {
    if (n > left()) fail(fmt::format("{} bytes expected, {} left", n, left()));
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }

 private:
  const std::string& bytes_;
  std::size_t at_;
  std::string file_;
};

std::size_t element_bytes(ElementType type) { return type == ElementType::f16 ? 2 : 4; }

// f32 <-> f16 through OpenCV's conversion (round to nearest even).
void append_f16(std::string& out, const float* values, std::size_t count) {
  const cv::Mat f32(1, static_cast<int>(count), CV_32F, const_cast<float*>(values));
  cv::Mat f16;
  f32.convertTo(f16, CV_16F);
  out.append(reinterpret_cast<const char*>(f16.data), count * 2);
}
void copy_f16(const char* data, std::size_t count, float* out) {
  const cv::Mat f16(1, static_cast<int>(count), CV_16F, const_cast<char*>(data));
  cv::Mat f32(1, static_cast<int>(count), CV_32F, out);
  f16.convertTo(f32, CV_32F);  // writes into `out`: same size and type
}

}  // namespace

std::uint64_t checkpoint_checksum(std::string_view payload) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : payload) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string checkpoint_bytes(const CheckpointInfo& info, const std::vector<TensorToStore>& tensors,
                             TensorStorage storage) {
  std::string payload;
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(info.epoch));
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(info.metadata.size()));
  for (const auto& [key, value] : info.metadata) {
    put_string(payload, key);
    put_string(payload, value);
  }
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(tensors.size()));
  for (const TensorToStore& t : tensors) {
    put_string(payload, t.name);
    const bool half = storage == TensorStorage::compact && t.count >= compact_min_elements;
    put<ElementType>(payload, half ? ElementType::f16 : ElementType::f32);
    put<std::uint32_t>(payload, static_cast<std::uint32_t>(t.dims.size()));
    for (auto d : t.dims) put<std::int64_t>(payload, d);
    if (half)
      append_f16(payload, t.values, t.count);
    else
      payload.append(reinterpret_cast<const char*>(t.values), t.count * sizeof(float));
  }
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(info.state.size()));
  for (const auto& [name, values] : info.state) {
    put_string(payload, name);
    put<std::uint64_t>(payload, values.size());
    payload.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  }
  std::string header(magic, sizeof(magic));
  put<std::uint32_t>(header, checkpoint_format_version);
  put<std::uint64_t>(header, payload.size());
  put<std::uint64_t>(header, checkpoint_checksum(payload));
  return header + payload;
}

void CheckpointContents::copy_values(const StoredTensor& t, float* out) const {
  const char* data = bytes.data() + t.offset;
  if (t.type == ElementType::f16)
    copy_f16(data, t.count, out);
  else if (t.count > 0)
    std::memcpy(out, data, t.count * sizeof(float));
}

namespace {

// One tensor entry; its rank, dimensions and data are checked against the bytes left before
// any of them is used, so no count read from the file can overflow or over-allocate.
StoredTensor read_tensor(Reader& r, std::uint32_t version) {
  StoredTensor t;
  t.name = r.get_string();
  if (version >= 3) {
    const auto type = r.get<std::uint8_t>();
    if (type > static_cast<std::uint8_t>(ElementType::f16))
      r.fail(fmt::format("tensor '{}' has element type {}, expected 0 (f32) or 1 (f16)", t.name,
                         type));
    t.type = static_cast<ElementType>(type);
  }
  const auto rank = r.get<std::uint32_t>();
  if (rank > max_tensor_rank)
    r.fail(
        fmt::format("tensor '{}' has rank {}, at most {} expected", t.name, rank, max_tensor_rank));
  const std::size_t room = r.left() / element_bytes(t.type);
  t.count = 1;
  for (std::uint32_t i = 0; i < rank; ++i) {
    const auto d = r.get<std::int64_t>();
    if (d <= 0 || static_cast<std::uint64_t>(d) > room / t.count)
      r.fail(fmt::format("tensor '{}' dimension {} is {}: not a positive size that fits the file",
                         t.name, i, d));
    t.dims.push_back(d);
    t.count *= static_cast<std::size_t>(d);
  }
  t.offset = r.offset();
  r.take(t.count * element_bytes(t.type));
  return t;
}

}  // namespace

CheckpointContents parse_checkpoint(std::string bytes_in, const std::string& where) {
  CheckpointContents c;
  c.bytes = std::move(bytes_in);
  const std::string& bytes = c.bytes;
  if (bytes.size() < sizeof(magic) || std::memcmp(bytes.data(), magic, sizeof(magic)) != 0)
    throw std::runtime_error(where + ": not a ferlab checkpoint");
  if (bytes.size() < header_bytes)
    throw std::runtime_error(where + ": truncated checkpoint (header incomplete)");
  Reader header(bytes, sizeof(magic), where);
  const auto version = header.get<std::uint32_t>();
  if (version < 1 || version > checkpoint_format_version)
    throw std::runtime_error(where + ": checkpoint format version " + std::to_string(version) +
                             ", this build reads versions 1 to " +
                             std::to_string(checkpoint_format_version));
  const auto size = header.get<std::uint64_t>();
  const auto hash = header.get<std::uint64_t>();
  if (bytes.size() - header_bytes < size)
    throw std::runtime_error(where + ": truncated checkpoint (" +
                             std::to_string(bytes.size() - header_bytes) + " of " +
                             std::to_string(size) + " payload bytes)");
  if (bytes.size() - header_bytes > size)
    throw std::runtime_error(where + ": corrupt checkpoint (trailing bytes)");
  if (checkpoint_checksum(std::string_view(bytes).substr(header_bytes)) != hash)
    throw std::runtime_error(where + ": corrupt checkpoint (checksum mismatch)");

  Reader r(bytes, header_bytes, where);
  c.info.epoch = static_cast<int>(r.get<std::uint32_t>());
  for (auto n = r.get<std::uint32_t>(); n > 0; --n) {
    std::string key = r.get_string();
    c.info.metadata[key] = r.get_string();
  }
  for (auto n = r.get<std::uint32_t>(); n > 0; --n) c.tensors.push_back(read_tensor(r, version));
  if (version >= 2)
    for (auto n = r.get<std::uint32_t>(); n > 0; --n) {
      const std::string name = r.get_string();
      const auto count = r.get<std::uint64_t>();
      if (count > bytes.size() / sizeof(float))
        throw std::runtime_error(where + ": malformed checkpoint payload");
      const char* data = r.take(count * sizeof(float));
      std::vector<float>& values = c.info.state[name];
      values.resize(count);
      if (count > 0) std::memcpy(values.data(), data, count * sizeof(float));  // data() may be null
    }
  return c;
}

CheckpointContents read_checkpoint_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open checkpoint");
  return parse_checkpoint(
      std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()),
      file.string());
}

}  // namespace ferlab::engine
