#include "cli/bench_peak.hpp"

#include "cli/threads.hpp"
#include "kernels/matmul.hpp"
#include "metrics/peak.hpp"

namespace mixprec {

double BenchPeak::for_format(Format f) const {
  const std::optional<double> bf16 = bf16_gflops();
  return f == Format::kBf16 && matmul().path(f).native && bf16 ? *bf16 : fp32_gflops();
}

BenchPeak measure_bench_peak(int threads) {
  BenchPeak peak;
  for (int t = 1; t <= threads; ++t) {
    const double fp32 = measure_fp32_fma_peak(t).gflops;
    const std::optional<PeakResult> bf16 = measure_bf16_dot_peak(t);
    peak.rows.push_back({t, fp32, bf16 ? std::optional<double>(bf16->gflops) : std::nullopt});
  }
  apply_thread_count(threads);
  return peak;
}

}  // namespace mixprec
