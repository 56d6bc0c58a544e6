// What the kernel itself accepts in a spec: the sections and keys around the plugin calls.
#pragma once

#include <ferlab/params.hpp>
#include <ferlab/plugin.hpp>
#include <string>
#include <vector>

namespace ferlab::spec {

struct Section;

struct Field {
  enum class Type {
    param,        // a scalar or flat list, checked against `param`
    section,      // a nested map, checked against `section`
    plugin,       // {plugin: NAME, ...params}, params checked against the plugin's schema
    plugin_list,  // a list of plugin calls, applied in order
    layer_list,   // an inline network: [{type: LAYER, name: N, inputs: [...], ...params}]
    sweep,        // {key.path: [value, ...]}
    search,       // {method, trials, space: {key.path: distribution}} (search_block.hpp)
  };
  std::string key;
  Type type = Type::param;
  ParamSpec param;                   // Type::param (its name equals key)
  const Section* section = nullptr;  // Type::section
  Kind plugin_kind = Kind::dataset;  // Type::plugin, Type::plugin_list
  bool required = false;             // for non-param fields; params use ParamSpec::required()
  std::string doc;
};

struct Section {
  std::vector<Field> fields;
  const Field* find(const std::string& key) const;
  std::vector<std::string> keys() const;
};

// The top level of an experiment spec.
const Section& experiment_schema();

}  // namespace ferlab::spec
