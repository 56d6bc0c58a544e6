// Layers that only rearrange or combine tensors: flatten, add (residual), concat.
#pragma once

#include <ferlab/layer.hpp>
#include <memory>

namespace ferlab::layers {

std::unique_ptr<Layer> make_flatten();
std::unique_ptr<Layer> make_add();
std::unique_ptr<Layer> make_concat();

}  // namespace ferlab::layers
