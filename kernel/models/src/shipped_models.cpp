#include "models/shipped_models.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <ferlab/search_path.hpp>
#include <map>
#include <stdexcept>

#include "loader/text.hpp"

namespace ferlab::models {
namespace fs = std::filesystem;

std::vector<fs::path> model_search_path() {
  std::vector<fs::path> dirs;
  for (const std::string& dir : env_path_list("FERLAB_MODEL_PATH")) dirs.emplace_back(dir);
  const fs::path exe_dir = boost::dll::program_location().parent_path().string();
  dirs.push_back(exe_dir.parent_path() / FERLAB_MODEL_SUBDIR);
  dirs.emplace_back(FERLAB_INSTALL_MODEL_DIR);
  return dirs;
}

bool is_model_name(const std::string& text) {
  return !text.empty() && text.front() != '.' &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}

namespace {

// An .ensemble file's member names. Small by construction: a larger file is not one.
std::vector<std::string> ensemble_members(const fs::path& file) {
  const auto fail = [&](const std::string& what) {
    return std::runtime_error(fmt::format(
        "{}: {}; an ensemble file is YAML `members: [model, model, ...]` naming shipped models",
        file.string(), what));
  };
  std::error_code error;
  if (fs::file_size(file, error) > 64 * 1024) throw fail("larger than 64 KiB");
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw fail(e.what());
  }
  if (!root.IsMap() || !root["members"] || !root["members"].IsSequence() ||
      root["members"].size() < 2)
    throw fail("'members' is not a list of two or more names");
  std::vector<std::string> members;
  for (const YAML::Node& member : root["members"]) {
    const std::string name = member.IsScalar() ? member.as<std::string>() : "";
    if (!is_model_name(name)) throw fail(fmt::format("member '{}' is not a model name", name));
    members.push_back(name);
  }
  return members;
}

}  // namespace

std::vector<ShippedModel> shipped_models() {
  std::map<std::string, ShippedModel> by_name;
  for (const fs::path& dir : model_search_path()) {
    std::error_code error;
    std::map<std::string, ShippedModel> here;  // a directory's own, each name once
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      const fs::path& file = entry.path();
      const bool model = file.extension() == model_extension;
      if ((!model && file.extension() != ensemble_extension) || !entry.is_regular_file(error))
        continue;
      const std::string name = file.stem().string();
      ShippedModel found{name, file, fs::path(file).replace_extension(manifest_extension), {}};
      if (!model) found.members = ensemble_members(file);
      if (here.count(name))
        throw std::runtime_error(fmt::format("{}: both {}{} and {}{} name a model '{}'",
                                             dir.string(), name, model_extension, name,
                                             ensemble_extension, name));
      here[name] = std::move(found);
    }
    for (auto& [name, model] : here)
      if (!by_name.count(name)) by_name[name] = std::move(model);
  }
  std::vector<ShippedModel> out;
  for (auto& [name, model] : by_name) out.push_back(std::move(model));
  return out;
}

std::optional<ShippedModel> find_shipped_model(const std::string& name) {
  if (!is_model_name(name)) return std::nullopt;
  for (ShippedModel& model : shipped_models())
    if (model.name == name) return model;
  return std::nullopt;
}

}  // namespace ferlab::models
