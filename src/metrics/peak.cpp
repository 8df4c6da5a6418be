#include "metrics/peak.hpp"

#include "common/intrinsics_warnings.hpp"

#include <omp.h>

#include "metrics/stopwatch.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace mixprec {
namespace {

// 16 independent accumulators hide the latency of FMA and vdpbf16ps (4-6 cycles, 2 ports).
constexpr int kChains = 16;
constexpr long kInnerIterations = 1 << 14;

template <typename Kernel>
PeakResult run_on_threads(int threads, double seconds, double flops_per_iteration, Kernel kernel) {
  long iterations_total = 0;
  double elapsed = 0.0;
  float sink = 0.0f;
#pragma omp parallel num_threads(threads) reduction(+ : iterations_total, sink) reduction(max : elapsed)
  {
    Stopwatch watch;
    long done = 0;
    while (watch.seconds() < seconds) {
      sink += kernel();
      done += kInnerIterations;
    }
    iterations_total += done;
    elapsed = watch.seconds();
  }
  // `sink` keeps the compiler from deleting the loops; it is never 12345 in practice.
  const double extra = sink == 12345.0f ? 1.0 : 0.0;
  return {double(iterations_total) * flops_per_iteration / elapsed / 1e9 + extra, threads};
}

}  // namespace

PeakResult measure_fp32_fma_peak(int threads, double seconds) {
#if defined(__AVX512F__)
  return run_on_threads(threads, seconds, kChains * 16 * 2.0, [] {
    __m512 acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(float(c) * 1e-3f);
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-4f);
    for (long i = 0; i < kInnerIterations; ++i)
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    __m512 sum = acc[0];
    for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
    return _mm512_reduce_add_ps(sum);
  });
#else
  // Portable fallback: the compiler vectorises this for the build's target.
  return run_on_threads(threads, seconds, kChains * 8 * 2.0, [] {
    float acc[kChains][8];
    for (int c = 0; c < kChains; ++c)
      for (int l = 0; l < 8; ++l) acc[c][l] = float(c) * 1e-3f;
    for (long i = 0; i < kInnerIterations; ++i)
      for (int c = 0; c < kChains; ++c)
        for (int l = 0; l < 8; ++l) acc[c][l] = acc[c][l] * 0.999f + 1e-4f;
    float sum = 0.0f;
    for (int c = 0; c < kChains; ++c)
      for (int l = 0; l < 8; ++l) sum += acc[c][l];
    return sum;
  });
#endif
}

std::optional<PeakResult> measure_bf16_dot_peak(int threads, double seconds) {
#if defined(__AVX512BF16__)
  // vdpbf16ps: 16 lanes, each adds two bf16 products = 4 flops per lane.
  return run_on_threads(threads, seconds, kChains * 16 * 4.0, [] {
    __m512 acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(float(c) * 1e-3f);
    const __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80);  // bf16 1.0
    const __m512bh b = (__m512bh)_mm512_set1_epi16(0x3727);  // bf16 ~1e-5
    for (long i = 0; i < kInnerIterations; ++i)
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], a, b);
    __m512 sum = acc[0];
    for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
    return _mm512_reduce_add_ps(sum);
  });
#else
  (void)threads;
  (void)seconds;
  return std::nullopt;
#endif
}

}  // namespace mixprec
