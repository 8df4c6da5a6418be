#include "kernels/convert.hpp"

// GCC 12 reports the AVX-512 intrinsics' own _mm512_undefined_*() placeholders as
// "maybe uninitialized" once they are inlined here (GCC PR 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <algorithm>
#include <cmath>
#include <cstring>

#include <omp.h>

#include "kernels/simd_convert.hpp"

namespace mixprec {
namespace {

constexpr std::size_t kChunk = 4096;  // per-thread block: fits L1/L2, big enough for SIMD
// Below this many values a parallel region costs more than it saves (and callers that are
// already parallel, such as the batch gather, must not nest one). Branches decide, not an
// `if` clause: even an inactive region costs ~1.3 us on the 2-core VM.
constexpr std::size_t kParallelMin = 4 * kChunk;

constexpr std::uint16_t inf_bits(f16) { return 0x7c00; }
constexpr std::uint16_t inf_bits(bf16) { return 0x7f80; }

}  // namespace

template <typename T>
void count_rounding(const float* src, const T* dst, std::size_t n, RoundStats& s) {
  const auto* out = reinterpret_cast<const std::uint16_t*>(dst);
  // 32-bit counters over blocks of at most 2^16 values let the compiler vectorise this.
  for (std::size_t begin = 0; begin < n; begin += 65536) {
    const std::size_t end = std::min(n, begin + 65536);
    std::uint32_t nonzero = 0, underflow = 0, overflow = 0, nonfinite = 0;
    for (std::size_t i = begin; i < end; ++i) {
      std::uint32_t in;
      std::memcpy(&in, &src[i], 4);
      const std::uint32_t in_abs = in & 0x7fffffffu;
      const std::uint32_t out_abs = out[i] & 0x7fffu;
      const std::uint32_t in_nonzero = in_abs != 0;
      nonzero += in_nonzero;
      underflow += in_nonzero & std::uint32_t(out_abs == 0);
      overflow += std::uint32_t(in_abs < 0x7f800000u) & std::uint32_t(out_abs == inf_bits(T{}));
      nonfinite += std::uint32_t(out_abs >= inf_bits(T{}));
    }
    s.nonzero += nonzero;
    s.underflow += underflow;
    s.overflow += overflow;
    s.nonfinite += nonfinite;
  }
  s.values += n;
}
template void count_rounding<f16>(const float*, const f16*, std::size_t, RoundStats&);
template void count_rounding<bf16>(const float*, const bf16*, std::size_t, RoundStats&);

template <typename T>
void round_and_count(const float* src, T* dst, std::size_t n, RoundStats& s) {
  std::size_t i = 0;
#if defined(__AVX512F__)
  // The same tests as count_rounding, as lane masks of the registers just rounded.
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), out_abs_mask = _mm512_set1_epi32(0x7fff),
                f32_inf = _mm512_set1_epi32(0x7f800000), inf16 = _mm512_set1_epi32(inf_bits(T{}));
  std::uint64_t nonzero = 0, underflow = 0, overflow = 0, nonfinite = 0;
  auto* out = reinterpret_cast<std::uint16_t*>(dst);
  // Non-zero inputs are counted per vector lane (2^32 per lane is far beyond any tensor
  // here); underflow, overflow and non-finite results are rare, so they are counted only
  // in the blocks where one occurs. out_zero, out_nonfinite: masks of the 16 results;
  // out_inf() the mask of infinite results, asked for only in such a block.
  const __m512i one = _mm512_set1_epi32(1);
  __m512i nonzero_lanes = _mm512_setzero_si512();
  auto tally = [&](__m512i in_abs, __mmask16 out_zero, __mmask16 out_nonfinite, auto out_inf) {
    const __mmask16 in_nonzero = _mm512_test_epi32_mask(in_abs, in_abs);
    nonzero_lanes = _mm512_mask_add_epi32(nonzero_lanes, in_nonzero, nonzero_lanes, one);
    const __mmask16 lost = in_nonzero & out_zero;
    if ((lost | out_nonfinite) == 0) return;
    const __mmask16 in_finite = _mm512_cmplt_epi32_mask(in_abs, f32_inf);
    underflow += __builtin_popcount(lost);
    overflow += __builtin_popcount(in_finite & out_inf());
    nonfinite += __builtin_popcount(out_nonfinite);
  };
#if defined(MIXPREC_HAS_VCVTNEPS2BF16)
  if constexpr (std::is_same_v<T, bf16>) {
    // The CPU's rounding gives the 16-bit results directly; their tests run on 16-bit lanes.
    const __m256i out_abs_mask16 = _mm256_set1_epi16(0x7fff), inf_bf16 = _mm256_set1_epi16(0x7f80);
    for (; i + 16 <= n; i += 16) {
      const __m512 x = _mm512_loadu_ps(src + i);
      const __m256i r = bf16_bits_x16(x);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), r);
      const __m256i out_abs = _mm256_and_si256(r, out_abs_mask16);
      tally(_mm512_and_si512(_mm512_castps_si512(x), abs_mask),
            _mm256_testn_epi16_mask(out_abs, out_abs), _mm256_cmpge_epu16_mask(out_abs, inf_bf16),
            [&] { return _mm256_cmpeq_epi16_mask(out_abs, inf_bf16); });
    }
  }
#endif
  for (; i + 16 <= n; i += 16) {
    const __m512 x = _mm512_loadu_ps(src + i);
    const __m512i r = rounded_bits_x16<T>(x);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm512_cvtepi32_epi16(r));
    const __m512i out_abs = _mm512_and_si512(r, out_abs_mask);
    tally(_mm512_and_si512(_mm512_castps_si512(x), abs_mask),
          _mm512_testn_epi32_mask(out_abs, out_abs), _mm512_cmpge_epi32_mask(out_abs, inf16),
          [&] { return _mm512_cmpeq_epi32_mask(out_abs, inf16); });
  }
  alignas(64) std::uint32_t lanes[16];
  _mm512_store_si512(lanes, nonzero_lanes);
  for (std::uint32_t c : lanes) nonzero += c;
  s += RoundStats{i, nonzero, underflow, overflow, nonfinite};
#elif defined(MIXPREC_HAS_AVX2_CONVERT)
  // The AVX-512 loop's tests, 8 values at a time on 32-bit lanes (all-ones where true).
  const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff), out_abs_mask = _mm256_set1_epi32(0x7fff),
                f32_inf = _mm256_set1_epi32(0x7f800000), inf16 = _mm256_set1_epi32(inf_bits(T{})),
                inf16_minus_one = _mm256_set1_epi32(inf_bits(T{}) - 1),
                zero = _mm256_setzero_si256();
  std::uint64_t underflow = 0, overflow = 0, nonfinite = 0;
  auto* out = reinterpret_cast<std::uint16_t*>(dst);
  auto count = [](__m256i lanes) {
    return __builtin_popcount(_mm256_movemask_ps(_mm256_castsi256_ps(lanes)));
  };
  __m256i zero_inputs = zero;  // per lane, the inputs that were zero (subtracting -1 adds 1)
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(src + i);
    __m128i narrow;
    if constexpr (std::is_same_v<T, bf16>) {
      narrow = bf16_bits_x8(x);
    } else {
      narrow = _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), narrow);
    const __m256i in_abs = _mm256_and_si256(_mm256_castps_si256(x), abs_mask);
    const __m256i out_abs = _mm256_and_si256(_mm256_cvtepu16_epi32(narrow), out_abs_mask);
    const __m256i in_zero = _mm256_cmpeq_epi32(in_abs, zero);
    zero_inputs = _mm256_sub_epi32(zero_inputs, in_zero);
    const __m256i lost = _mm256_andnot_si256(in_zero, _mm256_cmpeq_epi32(out_abs, zero));
    const __m256i out_nonfinite = _mm256_cmpgt_epi32(out_abs, inf16_minus_one);
    const __m256i rare = _mm256_or_si256(lost, out_nonfinite);
    if (_mm256_testz_si256(rare, rare)) continue;  // the common case: nothing to count
    const __m256i in_finite = _mm256_cmpgt_epi32(f32_inf, in_abs);
    underflow += count(lost);
    overflow += count(_mm256_and_si256(in_finite, _mm256_cmpeq_epi32(out_abs, inf16)));
    nonfinite += count(out_nonfinite);
  }
  alignas(32) std::uint32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), zero_inputs);
  std::uint64_t zeros = 0;
  for (std::uint32_t c : lanes) zeros += c;
  s += RoundStats{i, i - zeros, underflow, overflow, nonfinite};
#endif
  from_float_array<T>(src + i, dst + i, n - i);
  count_rounding<T>(src + i, dst + i, n - i, s);
}
template void round_and_count<f16>(const float*, f16*, std::size_t, RoundStats&);
template void round_and_count<bf16>(const float*, bf16*, std::size_t, RoundStats&);

template <typename T>
void round_from_float_in_team(const float* src, T* dst, std::size_t n, RoundStats* stats) {
  if constexpr (std::is_same_v<T, float>) {
#pragma omp single
    {
      if (src != dst) std::memcpy(dst, src, n * sizeof(float));
      if (stats) stats->values += n;  // nothing can underflow or overflow
    }
  } else {
    const std::int64_t blocks = std::int64_t((n + kChunk - 1) / kChunk);
    RoundStats mine;
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::size_t begin = std::size_t(b) * kChunk;
      const std::size_t len = std::min(kChunk, n - begin);
      if (stats) {
        round_and_count<T>(src + begin, dst + begin, len, mine);
      } else {
        from_float_array<T>(src + begin, dst + begin, len);
      }
    }
    if (stats) {
#pragma omp critical(mixprec_round_stats)
      *stats += mine;
    }
  }
}

template <typename T>
void round_from_float(const float* src, T* dst, std::size_t n, RoundStats* stats) {
  if (n >= kParallelMin && !std::is_same_v<T, float>) {
#pragma omp parallel
    round_from_float_in_team<T>(src, dst, n, stats);
  } else {
    round_from_float_in_team<T>(src, dst, n, stats);
  }
}

template void round_from_float<float>(const float*, float*, std::size_t, RoundStats*);
template void round_from_float<f16>(const float*, f16*, std::size_t, RoundStats*);
template void round_from_float<bf16>(const float*, bf16*, std::size_t, RoundStats*);
template void round_from_float_in_team<float>(const float*, float*, std::size_t, RoundStats*);
template void round_from_float_in_team<f16>(const float*, f16*, std::size_t, RoundStats*);
template void round_from_float_in_team<bf16>(const float*, bf16*, std::size_t, RoundStats*);

void round_from_float(const float* src, Format format, void* dst, std::size_t n,
                      RoundStats* stats) {
  dispatch_format(format, [&](auto tag) {
    using T = decltype(tag);
    round_from_float<T>(src, static_cast<T*>(dst), n, stats);
  });
}

void convert_to_float_in_team(Format format, const void* src, float* dst, std::size_t n) {
  dispatch_format(format, [&](auto tag) {
    using T = decltype(tag);
    const T* in = static_cast<const T*>(src);
    const std::int64_t blocks = std::int64_t((n + kChunk - 1) / kChunk);
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::size_t begin = std::size_t(b) * kChunk;
      const std::size_t len = std::min(kChunk, n - begin);
      if constexpr (std::is_same_v<T, float>) {
        if (in != dst) std::memcpy(dst + begin, in + begin, len * sizeof(float));
      } else {
        to_float_array<T>(in + begin, dst + begin, len);
      }
    }
  });
}

void convert_to_float(Format format, const void* src, float* dst, std::size_t n) {
  if (format != Format::kF32 && n >= kParallelMin) {
#pragma omp parallel
    convert_to_float_in_team(format, src, dst, n);
  } else {
    convert_to_float_in_team(format, src, dst, n);  // no region, not even an inactive one
  }
}

}  // namespace mixprec
