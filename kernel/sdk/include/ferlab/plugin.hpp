// What every plugin kind shares, and the registry plugins add their factories to.
#pragma once

#include <ferlab/export.hpp>
#include <ferlab/params.hpp>
#include <functional>
#include <memory>
#include <string>

namespace ferlab {

enum class Kind { dataset, preprocessor, augmenter, layer, backbone };

FERLAB_API const char* to_string(Kind kind);
// Parses "dataset", "preprocessor", ...; returns false on an unknown name.
FERLAB_API bool parse_kind(const std::string& text, Kind& kind);
inline constexpr Kind all_kinds[] = {Kind::dataset, Kind::preprocessor, Kind::augmenter,
                                     Kind::layer, Kind::backbone};

// Base of every object a plugin creates; the kernel keeps the plugin's library loaded for as
// long as any such object is alive.
class FERLAB_API PluginObject {
 public:
  virtual ~PluginObject();
};

// One named factory of one kind, with the parameters it accepts.
struct Factory {
  Kind kind;
  std::string name;
  std::string doc;  // one line
  Schema schema;
  std::function<std::unique_ptr<PluginObject>(const Params&)> create;
};

// Handed to a plugin's registration callback. Interfaces declare `static constexpr Kind kind`,
// so plugins write: registry.add<Preprocessor>("clahe", "doc", schema, factory).
class FERLAB_API Registry {
 public:
  virtual ~Registry();
  virtual void add_factory(Factory factory) = 0;

  template <class Interface, class Make>
  void add(std::string name, std::string doc, Schema schema, Make make) {
    add_factory(Factory{Interface::kind, std::move(name), std::move(doc), std::move(schema),
                        [make](const Params& p) -> std::unique_ptr<PluginObject> {
                          std::unique_ptr<Interface> object = make(p);
                          return object;
                        }});
  }
};

}  // namespace ferlab
