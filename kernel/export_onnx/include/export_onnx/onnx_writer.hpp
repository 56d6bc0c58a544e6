// Writes a network as an ONNX model that other runtimes (OpenCV DNN, ONNX Runtime) run with
// the network's inference behaviour: running statistics for batchnorm, no dropout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/network.hpp"

namespace ferlab::export_onnx {

struct OnnxOptions {
  // Stored as the model's metadata (metadata_props), e.g. "classes", "spec".
  std::map<std::string, std::string> metadata;
};

// A layer whose plugin writes no ONNX nodes (Layer::export_onnx); the message names the layer
// and its type.
class UnsupportedLayer : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The serialized ModelProto. Input "input": float N x C x H x W (the network's input shape,
// N symbolic), i.e. images after the model's preprocessing chain. Outputs "logits" (the last
// layer, N x classes) and "probabilities" (their softmax). Throws UnsupportedLayer for the
// first layer without an ONNX equivalent, std::invalid_argument when the network does not end
// in one value per class.
std::string onnx_model(engine::Network& network, const OnnxOptions& options = {});

// An ensemble in one graph: every member (all taking inputs of one shape) on "input", each
// followed by its softmax; "probabilities" is their mean and "logits" its logarithm (so that
// their softmax is the mean again). One member gives onnx_model(network) exactly.
std::string onnx_model(const std::vector<engine::Network*>& members,
                       const OnnxOptions& options = {});

// onnx_model() written to `file`; throws std::runtime_error naming the file if it cannot.
void write_onnx(const std::filesystem::path& file, engine::Network& network,
                const OnnxOptions& options = {});
void write_onnx(const std::filesystem::path& file, const std::vector<engine::Network*>& members,
                const OnnxOptions& options = {});

}  // namespace ferlab::export_onnx
