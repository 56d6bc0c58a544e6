// Deterministic initialisation of a network's parameters.
#pragma once

#include <cstdint>
#include <ferlab/layer.hpp>
#include <vector>

#include "options/train_options.hpp"

namespace ferlab::engine {

// Sets every parameter from its Parameter::init: Init::he draws fan-init weights from
// N(0, 2 / fan_in), xavier from U(+-sqrt(6 / (fan_in + fan_out))), pytorch from
// U(+-1 / sqrt(fan_in)) (torch.nn.Conv2d and Linear's default, kaiming_uniform with a = sqrt(5));
// zeros and ones as named. Under batchnorm the smaller pytorch weights learn faster at the
// same learning rate (the effective step of a normalised layer scales as lr / |w|^2).
// Parameters are visited in order from one generator, so a seed fixes every value.
void initialize_parameters(const std::vector<Parameter*>& parameters, options::Init scheme,
                           std::uint64_t seed);

}  // namespace ferlab::engine
