// A thin builder over an ONNX GraphProto: float initializers, nodes with attributes, and
// value names checked for uniqueness (a clash would silently rewire the graph).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace ferlab::export_onnx {

struct Attribute {
  std::string name;
  std::variant<std::int64_t, float, std::vector<std::int64_t>> value;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  // Declares a value name (graph input, node output); throws std::logic_error if taken.
  const std::string& claim(const std::string& name);
  // A float constant of these dimensions (empty dims: a scalar); returns its name.
  std::string constant(const std::string& name, const std::vector<std::int64_t>& dims,
                       const std::vector<float>& values);
  // One node; its outputs are claimed. Returns the first output's name.
  std::string node(const std::string& op, const std::vector<std::string>& inputs,
                   const std::vector<std::string>& outputs,
                   const std::vector<Attribute>& attributes = {});
  // A free name starting with `stem`, never a reserved one (for layer outputs and the
  // intermediate values of decomposed layers).
  std::string fresh(const std::string& stem) const;
  // Keeps fresh() off a name that will be claimed later (the graph's output names).
  void reserve(const std::string& name) { reserved_.insert(name); }

 private:
  bool taken(const std::string& name) const {
    return names_.count(name) != 0 || reserved_.count(name) != 0;
  }

  onnx::GraphProto& graph_;
  std::set<std::string> names_, reserved_;
};

// A float tensor value declaration: dims of 0 become the symbolic batch dimension "N".
void declare_float_tensor(onnx::ValueInfoProto& value, const std::string& name,
                          const std::vector<std::int64_t>& dims);

}  // namespace ferlab::export_onnx
