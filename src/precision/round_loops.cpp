#include "precision/convert.hpp"

#include "common/intrinsics_warnings.hpp"

#include <cstring>

#include "precision/round_loops.hpp"

namespace mixprec {
namespace {

constexpr std::uint16_t inf_bits(f16) { return 0x7c00; }
constexpr std::uint16_t inf_bits(bf16) { return 0x7f80; }

}  // namespace

// The rounding of a 16-bit row and its statistics in one pass: one loop per ISA, instantiated
// per format (the rounding itself comes from round_loops.hpp).
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
  s += RoundStats{i, nonzero, underflow, overflow, nonfinite, 0};
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
  s += RoundStats{i, i - zeros, underflow, overflow, nonfinite, 0};
#endif
  from_float_array<T>(src + i, dst + i, n - i);
  count_rounding(traits(FormatOf<T>::value), src + i, dst + i, n - i, s);
}
template void round_and_count<f16>(const float*, f16*, std::size_t, RoundStats&);
template void round_and_count<bf16>(const float*, bf16*, std::size_t, RoundStats&);

}  // namespace mixprec
