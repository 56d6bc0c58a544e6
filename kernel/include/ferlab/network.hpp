// A network as a DAG of named layers: what backbones produce and what a spec may write inline.
#pragma once

#include <ferlab/params.hpp>
#include <string>
#include <vector>

namespace ferlab {

struct LayerDef {
  std::string name;                 // unique within the network
  std::string type;                 // a layer plugin name: "convolution", "relu", ...
  std::vector<std::string> inputs;  // names of earlier layers; empty = the previous layer
  Params params;                    // unresolved: the kernel checks them against the schema
};

struct NetworkDef {
  std::vector<LayerDef> layers;  // "input" names the network input
};

}  // namespace ferlab
