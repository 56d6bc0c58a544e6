#include <ferlab/onnx_nodes.hpp>
#include <stdexcept>

namespace ferlab {

OnnxGraph::~OnnxGraph() = default;

std::string OnnxLayer::node(const std::string& op, const std::vector<std::string>& inputs,
                            const std::vector<OnnxAttribute>& attributes,
                            const std::string& output) const {
  return graph_.node(op, inputs, output.empty() ? fresh(op) : output, attributes);
}

std::string OnnxLayer::constant(const std::string& what, const dnnl::memory& plain,
                                std::vector<std::int64_t> dims) const {
  const dnnl::memory::desc desc = plain.get_desc();
  if (desc.data_type() != dnnl::memory::data_type::f32)
    throw std::logic_error("ONNX export: " + layer_ + "/" + what + " is not f32");
  if (dims.empty()) dims = desc.dims();
  const auto* values = static_cast<const float*>(plain.get_data_handle());
  const std::size_t count = desc.get_size() / sizeof(float);
  return graph_.constant(fresh(what), dims, {values, values + count});
}

std::string OnnxLayer::scalar(const std::string& what, double value) const {
  return graph_.constant(fresh(what), {}, {static_cast<float>(value)});
}

}  // namespace ferlab
