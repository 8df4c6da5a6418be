#pragma once
// How much of its cores this process actually got: over an interval, the CPU time of all its
// threads (user + system, getrusage) divided by wall time x threads. On an idle machine it
// is close to 1 (OpenMP workers spin while they wait, so waiting counts as CPU time). Well
// below 1, other processes were competing for the cores: every barrier of a fine-grained
// parallel step then waits for a descheduled thread, and the interval's timings can be many
// times slower than the hardware. The tool reports it so that nobody trusts such timings.
#include "metrics/stopwatch.hpp"

namespace mixprec {

// Below this share an interval's timings are flagged as unrepresentative.
inline constexpr double kBusyCpuShare = 0.8;

// Process CPU time so far (all threads), in seconds. Throws std::runtime_error if
// getrusage fails: a missing number should be loud, not zero.
double process_cpu_seconds();

class CpuShareMeter {
 public:
  explicit CpuShareMeter(int threads);
  // Share since construction; NaN before any wall time has passed.
  double share() const;

 private:
  int threads_;
  double cpu_at_start_;
  Stopwatch wall_;
};

}  // namespace mixprec
