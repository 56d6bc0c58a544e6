// The SDK's OnnxGraph over an ONNX GraphProto: float initializers, nodes with attributes, and
// value names checked for uniqueness (a clash would silently rewire the graph).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <ferlab/onnx_nodes.hpp>
#include <set>
#include <string>
#include <vector>

namespace ferlab::export_onnx {

class GraphBuilder final : public OnnxGraph {
 public:
  explicit GraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  // Declares a value name (graph input, node output); throws std::logic_error if taken.
  const std::string& claim(const std::string& name);
  std::string constant(const std::string& name, const std::vector<std::int64_t>& dims,
                       const std::vector<float>& values) override;
  std::string fresh(const std::string& stem) override;
  // Keeps fresh() off a name that will be claimed later (the graph's output names).
  void reserve(const std::string& name) { reserved_.insert(name); }

 protected:
  std::string add_node(const std::string& op, const std::vector<std::string>& inputs,
                       const std::string& output,
                       const std::vector<OnnxAttribute>& attributes) override;

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
