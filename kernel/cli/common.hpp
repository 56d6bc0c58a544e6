// Shared by the CLI commands: options every command takes and the plugin catalog.
#pragma once

#include <string>
#include <vector>

#include "engine/collective.hpp"
#include "loader/plugin_catalog.hpp"

namespace ferlab::cli {

struct GlobalOptions {
  std::vector<std::string> plugin_dirs;  // --plugin-path, searched first
  // Started by mpirun (or srun): this process's place among those training together.
  engine::Collective* processes = nullptr;
  std::vector<std::string> process_hosts;
};

// Loads all plugins, printing warnings; returns false (after printing them) on errors.
bool load_catalog(const GlobalOptions& options, kernel::PluginCatalog& catalog);

// Exit codes.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_invalid_spec = 2;

}  // namespace ferlab::cli
