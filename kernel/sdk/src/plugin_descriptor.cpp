#include <ferlab/abi.hpp>

namespace ferlab {
namespace {

class CollectingRegistry final : public Registry {
 public:
  void add_factory(Factory factory) override { factories.push_back(std::move(factory)); }
  std::vector<Factory> factories;
};

}  // namespace

std::string descriptor_problem(const ferlab_plugin_descriptor* descriptor) {
  if (descriptor == nullptr) return "its entry point returned no descriptor";
  if (descriptor->abi_version != FERLAB_ABI_VERSION)
    return "built for ferlab plugin ABI version " + std::to_string(descriptor->abi_version) +
           ", this ferlab expects version " + std::to_string(FERLAB_ABI_VERSION);
  if (!descriptor->name || !*descriptor->name || !descriptor->version ||
      !descriptor->register_plugins)
    return "its descriptor lacks a name, a version or a registration callback";
  return "";
}

std::vector<Factory> registered_factories(const ferlab_plugin_descriptor& descriptor) {
  CollectingRegistry registry;
  descriptor.register_plugins(registry);
  return std::move(registry.factories);
}

}  // namespace ferlab
