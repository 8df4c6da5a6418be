#include "metrics/cpu_share.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mixprec {

double process_cpu_seconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0)
    throw std::runtime_error("getrusage(RUSAGE_SELF) failed");
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + 1e-6 * double(t.tv_usec); };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

CpuShareMeter::CpuShareMeter(int threads)
    : threads_(std::max(1, threads)), cpu_at_start_(process_cpu_seconds()) {}

double CpuShareMeter::share() const {
  const double wall = wall_.seconds();
  if (!(wall > 0.0)) return std::nan("");
  return (process_cpu_seconds() - cpu_at_start_) / (wall * threads_);
}

}  // namespace mixprec
