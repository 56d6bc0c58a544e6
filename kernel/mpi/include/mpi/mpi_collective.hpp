// MPI_COMM_WORLD as the engine's Collective (engine/collective.hpp): the processes that
// `mpirun -np N` (or `srun` in a Slurm allocation) started train one network together.
#pragma once

#include <string>
#include <vector>

#include "engine/collective.hpp"

namespace ferlab::mpi {

// Whether this process was started by an MPI launcher (mpirun, mpiexec, srun with PMI): then
// ferlab initialises MPI; otherwise it never touches it.
bool launched_by_mpi();

class MpiCollective final : public engine::Collective {
 public:
  // Initialises MPI (only the calling thread makes MPI calls). Errors end every process
  // (MPI_ERRORS_ARE_FATAL): a lost peer never leaves the others waiting.
  MpiCollective(int& argc, char**& argv);
  ~MpiCollective() override;  // MPI_Finalize
  MpiCollective(const MpiCollective&) = delete;
  MpiCollective& operator=(const MpiCollective&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(double* values, std::size_t count) override;
  void sum(float* values, std::size_t count) override;
  std::unique_ptr<PendingSum> start_sum(float* values, std::size_t count) override;
  void broadcast(float* values, std::size_t count, int root) override;
  void broadcast(double* values, std::size_t count, int root) override;
  void broadcast(char* values, std::size_t count, int root) override;
  using engine::Collective::broadcast;

  // Every process's host name, in rank order.
  std::vector<std::string> hosts() const;
  // Ends every process of the job with `code` (after an error on this one), printing
  // `message` first.
  [[noreturn]] void abort(const std::string& message, int code);

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace ferlab::mpi
