#include "cli/threads.hpp"

#include <omp.h>

namespace mixprec {

int apply_thread_count(int requested) {
  const int threads = requested > 0 ? requested : omp_get_num_procs();
  omp_set_num_threads(threads);
  return threads;
}

}  // namespace mixprec
