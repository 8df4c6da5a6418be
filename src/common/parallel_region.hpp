#pragma once
// Runs `work` on a team of threads when there are enough values of element-wise work to pay
// for opening an OpenMP parallel region, else on the calling thread alone, with no region at
// all (even an inactive one costs a microsecond or so: docs/performance.md). The work shares
// its loops among whichever team runs it (orphaned `omp for`).
#include <cstddef>

namespace mixprec {

inline constexpr std::size_t kParallelMinValues = 32768;

template <class Work>
void run_shared(std::size_t values, const Work& work) {
  if (values >= kParallelMinValues) {
#pragma omp parallel
    work();
  } else {
    work();
  }
}

}  // namespace mixprec
