#include "optim/grad_norm.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "precision/round_loops.hpp"  // header-only: mixprec_optim does not link kernels

namespace mixprec {
namespace {

// The fixed partition of the gradient for grad_norm: blocks of this many values, whatever
// the thread count, so the sum (and its rounding) is the same on 1 or 64 threads.
constexpr std::int64_t kNormBlock = 4096;
// Independent double accumulators per block: a single running sum is one long chain of
// dependent adds; eight lanes fill a vector register and are added in a fixed order.
constexpr int kLanes = 8;

// sum_i (g_i * multiplier)^2 over one block of n <= kNormBlock values, in double.
template <class G>
double block_sum_of_squares(const G* g, std::int64_t n, float multiplier) {
  alignas(64) float widened[kNormBlock];
  const float* x = reinterpret_cast<const float*>(g);
  if constexpr (!std::is_same_v<G, float>) {
    to_float_array(g, widened, static_cast<std::size_t>(n));
    x = widened;
  }
  double lane[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const double v = x[i + l] * multiplier;  // the product in fp32, as the optimizer sees it
      lane[l] += v * v;
    }
  }
  for (int l = 0; i < n; ++i, ++l) {
    const double v = x[i] * multiplier;
    lane[l] += v * v;
  }
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// The exponent field of each format: all ones means inf or NaN.
template <class G>
struct ExponentMask;
template <>
struct ExponentMask<float> {
  using Bits = std::uint32_t;
  static constexpr Bits value = 0x7f800000u;
};
template <>
struct ExponentMask<f16> {
  using Bits = std::uint16_t;
  static constexpr Bits value = 0x7c00u;
};
template <>
struct ExponentMask<bf16> {
  using Bits = std::uint16_t;
  static constexpr Bits value = 0x7f80u;
};

}  // namespace

double grad_norm(const void* grads, Format grad_format, std::size_t n, float grad_multiplier) {
  return dispatch_format(grad_format, [&](auto tag) {
    using G = decltype(tag);
    const G* g = static_cast<const G*>(grads);
    const auto count = static_cast<std::int64_t>(n);
    const std::int64_t blocks = (count + kNormBlock - 1) / kNormBlock;
    // Grown once per calling thread: the training step allocates nothing.
    thread_local std::vector<double> partial;
    if (partial.size() < static_cast<std::size_t>(blocks)) partial.resize(static_cast<std::size_t>(blocks));
    double* out = partial.data();  // by pointer: inside the parallel region the name
                                   // `partial` would mean each worker's own copy
#pragma omp parallel for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t begin = b * kNormBlock;
      out[b] = block_sum_of_squares(
          g + begin, std::min(kNormBlock, count - begin), grad_multiplier);
    }
    double sum = 0.0;
    for (std::int64_t b = 0; b < blocks; ++b) sum += out[b];  // block order, on one thread
    return std::sqrt(sum);
  });
}

bool all_finite(const void* grads, Format grad_format, std::size_t n) {
  return dispatch_format(grad_format, [&](auto tag) {
    using G = decltype(tag);
    using Bits = typename ExponentMask<G>::Bits;
    constexpr Bits mask = ExponentMask<G>::value;
    // The 16-bit types are one unsigned short each (as in simd_convert.hpp); read fp32
    // through bit_cast, which GCC vectorises as well.
    const G* g = static_cast<const G*>(grads);
    const auto* raw = reinterpret_cast<const std::uint16_t*>(grads);
    const auto count = static_cast<std::int64_t>(n);
    constexpr std::int64_t kBlock = 1 << 14;
    const std::int64_t blocks = (count + kBlock - 1) / kBlock;
    // Integer tests on the bits, no early exit: a branch-free scan vectorises, and the
    // common case is all finite.
    unsigned non_finite = 0;
#pragma omp parallel for schedule(static) reduction(| : non_finite)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t end = std::min(count, (b + 1) * kBlock);
      unsigned found = 0;
      for (std::int64_t i = b * kBlock; i < end; ++i) {
        Bits bits;
        if constexpr (std::is_same_v<G, float>) bits = std::bit_cast<Bits>(g[i]);
        else bits = raw[i];
        found |= (bits & mask) == mask;
      }
      non_finite |= found;
    }
    return non_finite == 0;
  });
}

}  // namespace mixprec
