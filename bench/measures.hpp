// The timed measures on the ferlab side. Each returns the seconds of every timed run, so the
// driver can pool runs from interleaved processes and take one median.
#pragma once

#include <string>
#include <vector>

#include "engine/network.hpp"
#include "stats.hpp"

namespace ferlab::bench {

// One training step per run: forward, softmax cross-entropy, backward, SGD (momentum 0.9),
// on a fixed random batch: what Trainer::fit does per batch minus decoding images.
std::vector<double> time_training(engine::Network& network, int batch, const Repeat& repeat);

// One inference-mode forward per run, including writing the batch into the input.
std::vector<double> time_inference(engine::Network& network, int batch, const Repeat& repeat);

// One n x n x n dnnl_sgemm per run: the machine's practical peak for this thread count.
std::vector<double> time_sgemm(int n, const Repeat& repeat);

// A "VmRSS"/"VmHWM" line of /proc/self/status, in kB (0 when absent).
long status_kb(const std::string& field);

}  // namespace ferlab::bench
