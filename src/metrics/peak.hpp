#pragma once
// The machine's measured arithmetic peak, the yardstick for "share of peak" in `mixprec
// bench`: independent chains of vector FMAs (fp32) and of bf16 dot products
// (vdpbf16ps, AVX512-BF16), run on every thread for a fixed time.
#include <optional>

namespace mixprec {

struct PeakResult {
  double gflops = 0.0;  // floating-point operations per second / 1e9, all threads together
  int threads = 0;
};

// fp32 multiply-adds (2 flops each) per second.
PeakResult measure_fp32_fma_peak(int threads, double seconds = 0.3);
// bf16 dot-product flops per second; nullopt where the build or CPU has no AVX512-BF16.
std::optional<PeakResult> measure_bf16_dot_peak(int threads, double seconds = 0.3);

}  // namespace mixprec
