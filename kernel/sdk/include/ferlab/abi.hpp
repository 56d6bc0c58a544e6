// The plugin ABI: one C-linkage entry point returning a plain descriptor.
//
// A plugin library defines, in exactly one source file:
//
//   static void register_plugins(ferlab::Registry& r) { r.add<ferlab::Preprocessor>(...); }
//   FERLAB_PLUGIN("my-plugins", "1.0.0", "What these plugins do", register_plugins)
//
// The kernel reads abi_version before touching anything else and refuses a library built for
// another version. Bump FERLAB_ABI_VERSION whenever an SDK header changes in a way that breaks
// binary compatibility (a virtual function, a struct layout).
#pragma once

#include <cstdint>
#include <ferlab/plugin.hpp>
#include <string>
#include <vector>

#define FERLAB_ABI_VERSION 5u
#define FERLAB_PLUGIN_ENTRY ferlab_plugin_entry

extern "C" {
struct ferlab_plugin_descriptor {
  std::uint32_t abi_version;  // first field, stable across versions: always FERLAB_ABI_VERSION
  const char* name;
  const char* version;
  const char* description;
  void (*register_plugins)(ferlab::Registry& registry);
  void* reserved[4];  // for future fields; must be null
};
}

#define FERLAB_PLUGIN(NAME, VERSION, DESCRIPTION, REGISTER)                                 \
  extern "C" __attribute__((visibility("default"))) const ferlab_plugin_descriptor*         \
  FERLAB_PLUGIN_ENTRY() {                                                                   \
    static const ferlab_plugin_descriptor descriptor{FERLAB_ABI_VERSION, NAME,     VERSION, \
                                                     DESCRIPTION,        REGISTER, {}};     \
    return &descriptor;                                                                     \
  }

namespace ferlab {

// What keeps the kernel (or the test kit) from using the descriptor a library's entry point
// returned, as "built for ferlab plugin ABI version ..."; empty when it is usable. Reads
// abi_version before anything else: the rest of another version's layout may differ.
FERLAB_API std::string descriptor_problem(const ferlab_plugin_descriptor* descriptor);

// The factories the library registers: its register_plugins called on a collecting registry.
FERLAB_API std::vector<Factory> registered_factories(const ferlab_plugin_descriptor& descriptor);

}  // namespace ferlab
