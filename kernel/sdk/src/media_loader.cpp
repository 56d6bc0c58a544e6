// Loads libferlab_media.so from the folder this library was loaded from: build/lib in the
// build tree, the install's lib folder once installed (out-of-tree plugins find it there too).
#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "codecs.hpp"

namespace ferlab::media::detail {
namespace {

std::filesystem::path module_path() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&codecs), &info) == 0 || info.dli_fname == nullptr)
    throw std::runtime_error(std::string("cannot find where the ferlab SDK was loaded from, to "
                                         "load ") +
                             kModuleFile + " beside it");
  return std::filesystem::path(info.dli_fname).parent_path() / kModuleFile;
}

const Codecs* load() {
  const std::filesystem::path file = module_path();
  // RTLD_LOCAL: its ~240 libraries' symbols stay out of the global scope, where a plugin's
  // own dependencies could otherwise resolve to them.
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    throw std::runtime_error("cannot load the image and video codecs: " + std::string(dlerror()));
  auto* entry = reinterpret_cast<const Codecs* (*)()>(dlsym(handle, kEntryPoint));
  if (entry == nullptr)
    throw std::runtime_error(file.string() + ": has no " + kEntryPoint +
                             " (a library of another ferlab version?)");
  return entry();  // the library stays loaded for the life of the process
}

}  // namespace

const Codecs& codecs() {
  static const Codecs* const loaded = load();  // once, even when threads decode at once
  return *loaded;
}

}  // namespace ferlab::media::detail
