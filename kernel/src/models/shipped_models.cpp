#include "models/shipped_models.hpp"

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <map>

#include "text.hpp"

namespace ferlab::models {
namespace fs = std::filesystem;

std::vector<fs::path> model_search_path() {
  std::vector<fs::path> dirs;
  for (const std::string& dir : kernel::env_path_list("FERLAB_MODEL_PATH")) dirs.emplace_back(dir);
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

std::vector<ShippedModel> shipped_models() {
  std::map<std::string, ShippedModel> by_name;
  for (const fs::path& dir : model_search_path()) {
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      const fs::path& file = entry.path();
      if (file.extension() != model_extension || !entry.is_regular_file(error)) continue;
      const std::string name = file.stem().string();
      if (!by_name.count(name))
        by_name[name] = {name, file, fs::path(file).replace_extension(manifest_extension)};
    }
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
