#include "precision/convert.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "common/parallel_region.hpp"

namespace mixprec {
namespace {

constexpr std::size_t kChunk = 4096;  // per-thread block: fits L1/L2, big enough for SIMD

// Rounding into fp32 is a copy: no team needed, and nothing to count but the values.
bool is_fp32(const FormatTraits& row) { return row.exponent_bits == 8 && row.mantissa_bits == 23; }

const std::byte* at(const void* base, const FormatTraits& row, std::size_t index) {
  return static_cast<const std::byte*>(base) + row.bytes_for(index);
}
std::byte* at(void* base, const FormatTraits& row, std::size_t index) {
  return static_cast<std::byte*>(base) + row.bytes_for(index);
}

}  // namespace

void round_from_float_in_team(const float* src, const FormatTraits& row, void* dst,
                              std::size_t n, const Rounding& rounding, RoundStats* stats) {
  if (is_fp32(row)) {
#pragma omp single
    row.from_float(row, src, dst, n, rounding, stats);
    return;
  }
  const std::int64_t blocks = std::int64_t((n + kChunk - 1) / kChunk);
  RoundStats mine;
#pragma omp for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::size_t begin = std::size_t(b) * kChunk;
    const std::size_t len = std::min(kChunk, n - begin);
    row.from_float(row, src + begin, at(dst, row, begin), len, rounding.starting_at(begin),
                   stats ? &mine : nullptr);
  }
  if (stats) {
#pragma omp critical(mixprec_round_stats)
    *stats += mine;
  }
}

void round_from_float(const float* src, const FormatTraits& row, void* dst, std::size_t n,
                      const Rounding& rounding, RoundStats* stats) {
  run_shared(is_fp32(row) ? 0 : n,
             [&] { round_from_float_in_team(src, row, dst, n, rounding, stats); });
}

void convert_to_float_in_team(const FormatTraits& row, const void* src, float* dst,
                              std::size_t n) {
  const std::int64_t blocks = std::int64_t((n + kChunk - 1) / kChunk);
#pragma omp for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::size_t begin = std::size_t(b) * kChunk;
    row.to_float(row, at(src, row, begin), dst + begin, std::min(kChunk, n - begin));
  }
}

void convert_to_float(const FormatTraits& row, const void* src, float* dst, std::size_t n) {
  run_shared(is_fp32(row) ? 0 : n, [&] { convert_to_float_in_team(row, src, dst, n); });
}

void count_rounding(const FormatTraits& row, const float* src, const void* dst, std::size_t n,
                    RoundStats& s) {
  constexpr std::size_t kBlock = 256;
  float back[kBlock];
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t len = std::min(kBlock, n - begin);
    row.to_float(row, at(dst, row, begin), back, len);
    for (std::size_t i = 0; i < len; ++i) {
      const float in = src[begin + i], out = back[i];
      const bool in_nonzero = in != 0.0f;  // NaN counts as non-zero
      // Beyond the largest finite value (infinities too) and stored as it: a saturating row.
      const bool saturated = row.overflow == OverflowRule::kSaturate &&
                             std::fabs(in) > row.largest_finite && std::fabs(out) == row.largest_finite;
      s.nonzero += in_nonzero;
      s.underflow += in_nonzero && out == 0.0f;
      s.overflow += std::isfinite(in) && (std::isinf(out) || saturated);
      s.nonfinite += !std::isfinite(out);
      s.saturated += saturated;
    }
  }
  s.values += n;
}

}  // namespace mixprec
