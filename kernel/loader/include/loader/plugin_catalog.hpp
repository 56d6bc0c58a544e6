// Loads plugin libraries (Boost.DLL) and keeps every factory they registered.
#pragma once

#include <boost/dll/shared_library.hpp>
#include <ferlab/abi.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ferlab::kernel {

// One loaded plugin library and what its descriptor said.
struct PluginLibrary {
  std::filesystem::path file;
  std::string name, version, description;
  boost::dll::shared_library handle;
};

// One registered factory and the library it came from. The library is declared first so it
// is released last: the factory's code lives in it.
struct PluginInfo {
  std::shared_ptr<const PluginLibrary> library;
  Factory factory;
};

struct LoadDiagnostics {
  std::vector<std::string> errors;    // refused libraries: wrong ABI, bad schemas
  std::vector<std::string> warnings;  // skipped files: not a ferlab plugin, not loadable, a
                                      // name already loaded
};

// The directories searched, in order: the plugin dir next to the running executable (build
// tree or install: the built-in plugins), --plugin-path dirs, FERLAB_PLUGIN_PATH (colon
// separated). A library registering a name already loaded is skipped with a warning: the
// built-ins always stay.
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& extra_dirs);

class PluginCatalog {
 public:
  // Loads every *.so in the directories. Problems go to diagnostics; nothing throws.
  static PluginCatalog load(const std::vector<std::filesystem::path>& dirs,
                            LoadDiagnostics& diagnostics);
  // Loads exactly one library file (tests, explicit paths).
  void load_file(const std::filesystem::path& file, LoadDiagnostics& diagnostics);

  const PluginInfo* find(Kind kind, const std::string& name) const;
  std::vector<std::string> names(Kind kind) const;
  // "unknown <kind> plugin 'x' (did you mean 'y'?) (known: ...)", with where ferlab looks for
  // plugins outside its own folder.
  std::string unknown_plugin(Kind kind, const std::string& name) const;
  std::vector<const PluginInfo*> all() const;  // sorted by kind, then name
  const std::vector<std::shared_ptr<const PluginLibrary>>& libraries() const { return libraries_; }

  // Creates an object from already-resolved parameters (see spec/resolve). The returned
  // pointer keeps the plugin's library loaded until the object is destroyed.
  template <class Interface>
  std::shared_ptr<Interface> create(const std::string& name, const Params& params) const {
    const PluginInfo& info = require(Interface::kind, name);
    auto* object = static_cast<Interface*>(info.factory.create(params).release());
    auto library = info.library;
    return std::shared_ptr<Interface>(object, [library](Interface* p) { delete p; });
  }

  // Throws std::invalid_argument "unknown <kind> plugin 'x' (known: a, b, c)".
  const PluginInfo& require(Kind kind, const std::string& name) const;

 private:
  // Whether a library's factories may join the catalog: sound schemas, names not taken.
  // Records why not (a refusal, or a skipped duplicate) in `diagnostics`.
  bool admissible(const std::vector<Factory>& factories, const std::filesystem::path& file,
                  LoadDiagnostics& diagnostics) const;

  std::vector<std::shared_ptr<const PluginLibrary>> libraries_;
  std::map<std::pair<Kind, std::string>, PluginInfo> plugins_;
};

}  // namespace ferlab::kernel
