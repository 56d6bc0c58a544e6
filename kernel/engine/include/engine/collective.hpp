// The processes that train one network together, data-parallel: each computes its part of
// every batch, and the gradients are summed across them before each step. The engine knows no
// transport: kernel/mpi implements this over MPI. Every process must make the same calls in
// the same order (a call on one process waits for the others).
#pragma once

#include <cstddef>
#include <string>

namespace ferlab::engine {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;  // 0 .. size() - 1; rank 0 records and reports
  virtual int size() const = 0;
  // Element-wise sum over the processes, in place; every process gets the same result.
  virtual void sum(double* values, std::size_t count) = 0;
  virtual void sum(float* values, std::size_t count) = 0;
  // Rank `root`'s values to every process.
  virtual void broadcast(float* values, std::size_t count, int root) = 0;
  virtual void broadcast(double* values, std::size_t count, int root) = 0;
  virtual void broadcast(char* values, std::size_t count, int root) = 0;

  // Rank `root`'s text to every process.
  void broadcast(std::string& text, int root) {
    double size = static_cast<double>(text.size());
    broadcast(&size, 1, root);
    text.resize(static_cast<std::size_t>(size));
    broadcast(text.data(), text.size(), root);
  }
};

}  // namespace ferlab::engine
