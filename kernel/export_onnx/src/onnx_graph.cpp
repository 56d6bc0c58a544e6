#include "export_onnx/onnx_graph.hpp"

#include <stdexcept>

namespace ferlab::export_onnx {

const std::string& GraphBuilder::claim(const std::string& name) {
  if (!names_.insert(name).second)
    throw std::logic_error("ONNX export: value name '" + name + "' used twice");
  return name;
}

std::string GraphBuilder::constant(const std::string& name, const std::vector<std::int64_t>& dims,
                                   const std::vector<float>& values) {
  std::int64_t count = 1;
  for (std::int64_t d : dims) count *= d;
  if (count != static_cast<std::int64_t>(values.size()))
    throw std::logic_error("ONNX export: constant '" + name + "' has " +
                           std::to_string(values.size()) + " values for " + std::to_string(count) +
                           " elements");
  onnx::TensorProto& t = *graph_.add_initializer();
  t.set_name(claim(name));
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (std::int64_t d : dims) t.add_dims(d);
  // Raw little-endian bytes: compact, and what every reader accepts for floats.
  t.set_raw_data(values.data(), values.size() * sizeof(float));
  return name;
}

std::string GraphBuilder::add_node(const std::string& op, const std::vector<std::string>& inputs,
                                   const std::string& output,
                                   const std::vector<OnnxAttribute>& attributes) {
  onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(op);
  n.set_name(output);
  for (const auto& in : inputs) n.add_input(in);
  n.add_output(claim(output));
  for (const OnnxAttribute& a : attributes) {
    onnx::AttributeProto& attr = *n.add_attribute();
    attr.set_name(a.name);
    if (const auto* i = std::get_if<std::int64_t>(&a.value)) {
      attr.set_type(onnx::AttributeProto::INT);
      attr.set_i(*i);
    } else if (const auto* f = std::get_if<float>(&a.value)) {
      attr.set_type(onnx::AttributeProto::FLOAT);
      attr.set_f(*f);
    } else {
      attr.set_type(onnx::AttributeProto::INTS);
      for (std::int64_t v : std::get<std::vector<std::int64_t>>(a.value)) attr.add_ints(v);
    }
  }
  return output;
}

std::string GraphBuilder::fresh(const std::string& stem) {
  if (!taken(stem)) return stem;
  for (int i = 2;; ++i) {
    std::string name = stem + "_" + std::to_string(i);
    if (!taken(name)) return name;
  }
}

void declare_float_tensor(onnx::ValueInfoProto& value, const std::string& name,
                          const std::vector<std::int64_t>& dims) {
  value.set_name(name);
  onnx::TypeProto_Tensor& tensor = *value.mutable_type()->mutable_tensor_type();
  tensor.set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto& shape = *tensor.mutable_shape();
  for (std::int64_t d : dims) {
    if (d == 0)
      shape.add_dim()->set_dim_param("N");
    else
      shape.add_dim()->set_dim_value(d);
  }
}

}  // namespace ferlab::export_onnx
