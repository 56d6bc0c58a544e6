#include "engine/checkpoint.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace ferlab::engine {
namespace {

std::vector<std::int64_t> dims_of(const Parameter& p) {
  const auto d = p.value.get_desc().dims();
  return {d.begin(), d.end()};
}

}  // namespace

void save_checkpoint(const std::filesystem::path& file, Network& network,
                     const CheckpointInfo& info, TensorStorage storage) {
  std::vector<TensorToStore> tensors;
  for (const auto& [name, p] : network.named_parameters())
    tensors.push_back({name, dims_of(*p), static_cast<const float*>(p->value.get_data_handle()),
                       p->value.get_desc().get_size() / sizeof(float)});
  const std::string bytes = checkpoint_bytes(info, tensors, storage);
  const std::filesystem::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      const int error = errno;  // a full disk (ENOSPC), a size limit (EFBIG), ...
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);  // no half-written file left behind
      throw std::runtime_error(
          fmt::format("{}: cannot write checkpoint ({})", file.string(), std::strerror(error)));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error)
    throw std::runtime_error(file.string() + ": cannot write checkpoint: " + error.message());
}

CheckpointInfo read_checkpoint_info(const std::filesystem::path& file) {
  return read_checkpoint_file(file).info;
}

LoadReport load_checkpoint(const std::filesystem::path& file, Network& network,
                           bool allow_partial) {
  CheckpointContents contents = read_checkpoint_file(file);
  LoadReport report;
  report.info = std::move(contents.info);
  auto targets = network.named_parameters();
  std::map<std::string, Parameter*> by_name(targets.begin(), targets.end());
  std::vector<std::pair<std::string, std::string>> problems;  // tensor, what is wrong
  for (const StoredTensor& t : contents.tensors) {
    auto it = by_name.find(t.name);
    if (it == by_name.end()) {
      problems.emplace_back(t.name, "is in the file but not in this network");
      continue;
    }
    if (dims_of(*it->second) != t.dims) {
      problems.emplace_back(t.name, "has another shape in the file");
      by_name.erase(it);
      continue;
    }
    contents.copy_values(t, static_cast<float*>(it->second->value.get_data_handle()));
    report.loaded.push_back(t.name);
    by_name.erase(it);
  }
  network.parameters_changed();
  for (const auto& [name, p] : by_name) problems.emplace_back(name, "is not in the file");
  if (!problems.empty() && !allow_partial) {
    std::string text;
    for (const auto& [name, what] : problems)
      text += (text.empty() ? "" : "; ") + name + " " + what;
    throw std::runtime_error(file.string() + ": checkpoint does not fit this network: " + text);
  }
  for (const auto& [name, what] : problems)
    if (what != "is in the file but not in this network") report.skipped.push_back(name);
  return report;
}

}  // namespace ferlab::engine
