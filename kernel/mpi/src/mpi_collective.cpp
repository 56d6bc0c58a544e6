#include "mpi/mpi_collective.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

namespace ferlab::mpi {
namespace {

// MPI counts are int: larger buffers go in pieces.
template <class T, class Call>
void in_pieces(T* values, std::size_t count, Call call) {
  constexpr std::size_t most = std::numeric_limits<int>::max() / 2;
  for (std::size_t done = 0; done < count; done += most)
    call(values + done, static_cast<int>(std::min(most, count - done)));
}

}  // namespace

bool launched_by_mpi() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(variable)) return true;
  return false;
}

MpiCollective::MpiCollective(int& argc, char**& argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiCollective::~MpiCollective() { MPI_Finalize(); }

void MpiCollective::sum(double* values, std::size_t count) {
  in_pieces(values, count, [](double* v, int n) {
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  });
}

void MpiCollective::sum(float* values, std::size_t count) {
  in_pieces(values, count, [](float* v, int n) {
    MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  });
}

namespace {

// MPI_Iallreduce's requests, finished by MPI_Test (progress) and MPI_Waitall.
class MpiPendingSum final : public engine::Collective::PendingSum {
 public:
  MpiPendingSum(float* values, std::size_t count) {
    in_pieces(values, count, [this](float* v, int n) {
      MPI_Iallreduce(MPI_IN_PLACE, v, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                     &requests_.emplace_back());
    });
  }
  ~MpiPendingSum() override { wait(); }
  MpiPendingSum(const MpiPendingSum&) = delete;
  MpiPendingSum& operator=(const MpiPendingSum&) = delete;
  void progress() override {
    int done = 0;
    for (MPI_Request& r : requests_) MPI_Test(&r, &done, MPI_STATUS_IGNORE);
  }
  void wait() override {
    MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
  }

 private:
  std::vector<MPI_Request> requests_;
};

}  // namespace

std::unique_ptr<engine::Collective::PendingSum> MpiCollective::start_sum(float* values,
                                                                         std::size_t count) {
  return std::make_unique<MpiPendingSum>(values, count);
}

void MpiCollective::broadcast(float* values, std::size_t count, int root) {
  in_pieces(values, count,
            [root](float* v, int n) { MPI_Bcast(v, n, MPI_FLOAT, root, MPI_COMM_WORLD); });
}

void MpiCollective::broadcast(double* values, std::size_t count, int root) {
  in_pieces(values, count,
            [root](double* v, int n) { MPI_Bcast(v, n, MPI_DOUBLE, root, MPI_COMM_WORLD); });
}

void MpiCollective::broadcast(char* values, std::size_t count, int root) {
  in_pieces(values, count,
            [root](char* v, int n) { MPI_Bcast(v, n, MPI_CHAR, root, MPI_COMM_WORLD); });
}

std::vector<std::string> MpiCollective::hosts() const {
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  std::vector<char> all(static_cast<std::size_t>(MPI_MAX_PROCESSOR_NAME) * size_);
  MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all.data(), MPI_MAX_PROCESSOR_NAME,
                MPI_CHAR, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (int r = 0; r < size_; ++r) out.emplace_back(all.data() + r * MPI_MAX_PROCESSOR_NAME);
  return out;
}

void MpiCollective::abort(const std::string& message, int code) {
  fmt::print(stderr, "rank {} of {}: {}\n", rank_, size_, message);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);  // MPI_Abort does not return; this keeps [[noreturn]] honest
}

}  // namespace ferlab::mpi
