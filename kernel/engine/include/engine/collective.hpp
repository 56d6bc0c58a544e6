// The processes that train one network together, data-parallel: each computes its part of
// every batch, and the gradients are summed across them before each step. The engine knows no
// transport: kernel/mpi implements this over MPI. Every process must make the same calls in
// the same order (a call on one process waits for the others).
#pragma once

#include <cstddef>
#include <memory>
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
  // A float sum begun now and ended by wait(), so that the gradients of the last layers are
  // summed while the backward pass goes on through the first ones. `values` must stay as
  // they are until wait() returns. progress() lets the transport move it on (MPI moves a
  // non-blocking collective only inside MPI calls). This default sums at once.
  class PendingSum {
   public:
    virtual ~PendingSum() = default;
    virtual void progress() {}
    virtual void wait() {}
  };
  virtual std::unique_ptr<PendingSum> start_sum(float* values, std::size_t count) {
    sum(values, count);
    return std::make_unique<PendingSum>();
  }

  // What summing the gradients has cost this process so far (the trainer keeps count): steps,
  // buckets (sums started), bytes summed, and seconds inside the collective calls (starting,
  // moving on and waiting for the sums: the communication the backward pass did not hide).
  struct GradientTraffic {
    long steps = 0, buckets = 0;
    double bytes = 0, seconds = 0;
  };
  GradientTraffic& gradient_traffic() { return traffic_; }

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

 private:
  GradientTraffic traffic_;
};

}  // namespace ferlab::engine
