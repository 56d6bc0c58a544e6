#include "loader/plugin_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>
#include <ferlab/schema_check.hpp>
#include <ferlab/search_path.hpp>
#include <set>

#include "loader/text.hpp"

namespace ferlab::kernel {
namespace fs = std::filesystem;

namespace {

// Collects what one library registers, so nothing is added unless the whole library is valid.
fs::path default_plugin_dir() {
  // bin/ferlab and lib/ferlab/plugins sit side by side in both the build and the install tree;
  // tests run from <build>/tests, which also sits beside <build>/lib.
  fs::path exe_dir = boost::dll::program_location().parent_path().string();
  fs::path beside = exe_dir.parent_path() / FERLAB_PLUGIN_SUBDIR;
  if (fs::is_directory(beside)) return beside;
  return FERLAB_INSTALL_PLUGIN_DIR;
}

}  // namespace

std::vector<fs::path> plugin_search_path(const std::vector<std::string>& extra_dirs) {
  std::vector<fs::path> dirs{default_plugin_dir()};
  dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
  for (const std::string& dir : env_path_list("FERLAB_PLUGIN_PATH")) dirs.emplace_back(dir);
  return dirs;
}

PluginCatalog PluginCatalog::load(const std::vector<fs::path>& dirs, LoadDiagnostics& diagnostics) {
  PluginCatalog catalog;
  std::set<fs::path> seen;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".so")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());  // load order must not depend on the file system
    for (const fs::path& file : files) {
      fs::path canonical = fs::weakly_canonical(file, ec);
      if (seen.insert(canonical).second) catalog.load_file(file, diagnostics);
    }
  }
  return catalog;
}

namespace {

// Loads `file` into `library` and returns its plugin descriptor once it is known to be a ferlab
// plugin of this ABI; null after recording why it was skipped (not a plugin) or refused.
const ferlab_plugin_descriptor* open_plugin(PluginLibrary& library, const fs::path& file,
                                            LoadDiagnostics& diagnostics) {
  try {
    library.handle.load(file.string(),
                        boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    diagnostics.warnings.push_back(fmt::format(
        "{}: skipped, cannot be loaded as a shared library: {}", file.string(), e.what()));
    return nullptr;
  }
  const char* entry_name = BOOST_PP_STRINGIZE(FERLAB_PLUGIN_ENTRY);
  if (!library.handle.has(entry_name)) {
    diagnostics.warnings.push_back(
        fmt::format("{}: skipped, not a ferlab plugin (no {} symbol)", file.string(), entry_name));
    return nullptr;
  }
  const auto* descriptor = library.handle.get<const ferlab_plugin_descriptor*()>(entry_name)();
  if (const std::string problem = descriptor_problem(descriptor); !problem.empty()) {
    diagnostics.errors.push_back(fmt::format("{}: refused, {}", file.string(), problem));
    return nullptr;
  }
  return descriptor;
}

}  // namespace

void PluginCatalog::load_file(const fs::path& file, LoadDiagnostics& diagnostics) {
  auto library = std::make_shared<PluginLibrary>();
  library->file = fs::absolute(file);
  const ferlab_plugin_descriptor* descriptor = open_plugin(*library, file, diagnostics);
  if (!descriptor) return;
  library->name = descriptor->name;
  library->version = descriptor->version;
  library->description = descriptor->description ? descriptor->description : "";

  std::vector<Factory> factories;
  try {
    factories = registered_factories(*descriptor);
  } catch (const std::exception& e) {
    diagnostics.errors.push_back(
        fmt::format("{}: refused, its registration failed: {}", file.string(), e.what()));
    return;
  }
  if (!admissible(factories, file, diagnostics)) return;
  std::shared_ptr<const PluginLibrary> shared = library;
  libraries_.push_back(shared);
  for (Factory& factory : factories) {
    auto key = std::make_pair(factory.kind, factory.name);
    plugins_.emplace(key, PluginInfo{shared, std::move(factory)});
  }
}

bool PluginCatalog::admissible(const std::vector<Factory>& factories, const fs::path& file,
                               LoadDiagnostics& diagnostics) const {
  std::vector<std::string> problems, collisions;
  for (const Factory& factory : factories) {
    for (const std::string& p : check_schema(factory.schema))
      problems.push_back(fmt::format("{} '{}': {}", to_string(factory.kind), factory.name, p));
    if (factory.name.empty() || !factory.create)
      problems.push_back(fmt::format("a {} without a name or factory", to_string(factory.kind)));
    auto existing = plugins_.find({factory.kind, factory.name});
    if (existing != plugins_.end())
      collisions.push_back(fmt::format(
          "duplicate {} plugin name '{}': {} provides it and stays in force (rename the "
          "plugin in this library's registration to use both)",
          to_string(factory.kind), factory.name, existing->second.library->file.string()));
  }
  for (const std::string& p : problems)
    diagnostics.errors.push_back(fmt::format("{}: refused, {}", file.string(), p));
  if (!problems.empty()) return false;
  // The newcomer is left out, never what is already loaded (the built-in plugins load first),
  // and the other commands go on: a spec that names the plugin gets the loaded one.
  for (const std::string& c : collisions)
    diagnostics.warnings.push_back(fmt::format("{}: skipped, {}", file.string(), c));
  return collisions.empty();
}

const PluginInfo* PluginCatalog::find(Kind kind, const std::string& name) const {
  auto it = plugins_.find({kind, name});
  return it == plugins_.end() ? nullptr : &it->second;
}

std::vector<std::string> PluginCatalog::names(Kind kind) const {
  std::vector<std::string> out;
  for (const auto& [key, info] : plugins_)
    if (key.first == kind) out.push_back(key.second);
  return out;
}

std::vector<const PluginInfo*> PluginCatalog::all() const {
  std::vector<const PluginInfo*> out;
  for (const auto& [key, info] : plugins_) out.push_back(&info);
  return out;
}

std::string PluginCatalog::unknown_plugin(Kind kind, const std::string& name) const {
  const std::vector<std::string> known = names(kind);
  return fmt::format(
      "unknown {} plugin '{}'{} (known: {}; plugins outside ferlab's own folder are found with "
      "--plugin-path DIR or FERLAB_PLUGIN_PATH)",
      to_string(kind), name, did_you_mean(name, known), known.empty() ? "none" : join(known, ", "));
}

const PluginInfo& PluginCatalog::require(Kind kind, const std::string& name) const {
  if (const PluginInfo* info = find(kind, name)) return *info;
  throw std::invalid_argument(unknown_plugin(kind, name));
}

}  // namespace ferlab::kernel
