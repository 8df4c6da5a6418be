#include "cli/threads.hpp"

#include <omp.h>

#include <spdlog/spdlog.h>

namespace mixprec {

int apply_thread_count(int requested) {
  const int cores = omp_get_num_procs();
  const int threads = requested > 0 ? requested : cores;
  // Said once, at the start: otherwise every epoch's low cpu_share would be blamed on
  // "other processes" when this run's own threads are queueing for the cores.
  if (threads > cores)
    spdlog::warn("threads = {} on {} core(s): the threads take turns on the cores, so timings "
                 "and cpu_share measure that, not the hardware (hint: threads = {} or 0 for all "
                 "cores)", threads, cores, cores);
  omp_set_num_threads(threads);
  return threads;
}

}  // namespace mixprec
