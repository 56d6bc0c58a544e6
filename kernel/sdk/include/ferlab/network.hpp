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
  // Feature stage, counted from the input end from 1 (a backbone's resolution stages; the
  // stem is stage 1 where there is one); 0 = the classifier head. Fine-tuning freezes the
  // first N stages (train.freeze_stages).
  int stage = 0;
};

struct NetworkDef {
  std::vector<LayerDef> layers;  // "input" names the network input
};

}  // namespace ferlab
