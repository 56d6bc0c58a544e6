#include "engine/threads.hpp"

#include <omp.h>

namespace ferlab::engine {

bool set_threads(int count) {
  if (count < 1) return false;
  omp_set_num_threads(count);
  return true;
}

int max_threads() { return omp_get_max_threads(); }

}  // namespace ferlab::engine
