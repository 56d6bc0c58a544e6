#include "engine/threads.hpp"

#include <dlfcn.h>
#include <dnnl.hpp>

namespace ferlab::engine {

namespace {

template <class F>
F* openmp_function(const char* name) {
  (void)dnnl::engine(dnnl::engine::kind::cpu, 0);  // makes sure oneDNN (and OpenMP) is loaded
  return reinterpret_cast<F*>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

bool set_threads(int count) {
  auto* set = openmp_function<void(int)>("omp_set_num_threads");
  if (!set || count < 1) return false;
  set(count);
  return true;
}

int max_threads() {
  auto* get = openmp_function<int()>("omp_get_max_threads");
  return get ? get() : 1;
}

}  // namespace ferlab::engine
