#pragma once
// The vector loops of stochastic rounding (stochastic_rounding.hpp): the counter-based
// random bits and the snap to a neighbour on 16 (AVX-512) or 8 (AVX2) lanes, the same bits
// as the scalar random_bits and stochastic_snap. Shared by the array conversion
// (stochastic_rounding.cpp) and the optimizer's one-pass store (optim/apply_update.cpp).
#include "common/intrinsics_warnings.hpp"

#include "precision/round_loops.hpp"
#include "precision/stochastic_rounding.hpp"

namespace mixprec {

#if defined(__AVX512F__)
// mix32 and random_bits on 16 lanes: elements first, first + 1, ..., first + 15.
[[gnu::always_inline]] inline __m512i mix32_x16(__m512i x) {
  x = _mm512_xor_si512(x, _mm512_srli_epi32(x, 16));
  x = _mm512_mullo_epi32(x, _mm512_set1_epi32(0x21f0aaad));
  x = _mm512_xor_si512(x, _mm512_srli_epi32(x, 15));
  x = _mm512_mullo_epi32(x, _mm512_set1_epi32(0x735a2d97));
  return _mm512_xor_si512(x, _mm512_srli_epi32(x, 15));
}

[[gnu::always_inline]] inline __m512i random_bits_x16(const RandomKey& key, std::uint64_t first) {
  const __m512i base = _mm512_set1_epi32(int(std::uint32_t(first)));
  const __m512i low = _mm512_add_epi32(base, _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                                                11, 12, 13, 14, 15));
  // A lane whose low word wrapped belongs to the next 2^32 elements (its salt uses high + 1).
  const std::uint32_t high = std::uint32_t(first >> 32);
  const __mmask16 wrapped = _mm512_cmplt_epu32_mask(low, base);
  const __m512i salt = _mm512_mask_mov_epi32(_mm512_set1_epi32(int(key.k0 + high * 0x9e3779b9u)), wrapped,
                                             _mm512_set1_epi32(int(key.k0 + (high + 1) * 0x9e3779b9u)));
  return _mm512_xor_si512(mix32_x16(_mm512_xor_si512(low, salt)), _mm512_set1_epi32(int(key.k1)));
}

// random_bits_x16 for a run of elements that stays within one 2^32 range (the same high
// word), as every tensor below 2^32 values does: the salt is computed once per run, not per
// call. The same bits.
class RandomRun16 {
 public:
  [[gnu::always_inline]] RandomRun16(const RandomKey& key, std::uint64_t first, std::uint64_t count)
      : key_(key),
        one_range_(count == 0 || (first >> 32) == ((first + count - 1) >> 32)),
        salt_(_mm512_set1_epi32(int(key.k0 + std::uint32_t(first >> 32) * 0x9e3779b9u))),
        k1_(_mm512_set1_epi32(int(key.k1))) {}

  // The bits of elements e, e + 1, ..., e + 15, all within the run.
  [[gnu::always_inline]] __m512i bits(std::uint64_t e) const {
    if (!one_range_) return random_bits_x16(key_, e);
    const __m512i low = _mm512_add_epi32(_mm512_set1_epi32(int(std::uint32_t(e))),
                                         _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    return _mm512_xor_si512(mix32_x16(_mm512_xor_si512(low, salt_)), k1_);
  }

 private:
  RandomKey key_;
  bool one_range_;
  __m512i salt_, k1_;
};

// stochastic_snap on 16 lanes for a row whose subnormal range lies within fp32's (its
// smallest normal is fp32's: bf16), so that it drops the same number of bits everywhere: the
// constant-width fast path of snap_x16 below, without its test. The same bits; *vanished as
// snap_x16's.
[[gnu::always_inline]] inline __m512 snap_x16_constant_width(__m512 v, const StochasticGrid& g, __m512i r,
                                                             __mmask16* vanished) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i mag = _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff));
  const __mmask16 keep = _mm512_cmpgt_epu32_mask(mag, _mm512_set1_epi32(int(g.largest_finite)));
  const __m128i d = _mm_cvtsi32_si128(int(g.dropped_bits));
  const __m128i top = _mm_cvtsi32_si128(int(32 - g.dropped_bits));
  const __m512i out = _mm512_sll_epi32(_mm512_srl_epi32(_mm512_add_epi32(mag, _mm512_srl_epi32(r, top)), d), d);
  *vanished = _mm512_test_epi32_mask(mag, mag) & ~keep & _mm512_testn_epi32_mask(out, out);
  const __m512i sign = _mm512_andnot_si512(_mm512_set1_epi32(0x7fffffff), u);
  return _mm512_castsi512_ps(_mm512_mask_mov_epi32(_mm512_or_si512(sign, out), keep, u));
}

// Whether every value a row rounds takes the constant-width path.
inline bool constant_width(const StochasticGrid& g) { return g.min_normal_exponent <= 1; }

// stochastic_snap on 16 lanes; *vanished gets the lanes of non-zero inputs snapped to zero.
[[gnu::always_inline]] inline __m512 snap_x16(__m512 v, const StochasticGrid& g, __m512i r, __mmask16* vanished) {
  const __m512i u = _mm512_castps_si512(v);
  const __m512i mag = _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff));
  const __m512i sign = _mm512_andnot_si512(_mm512_set1_epi32(0x7fffffff), u);
  const __mmask16 keep = _mm512_cmpgt_epu32_mask(mag, _mm512_set1_epi32(int(g.largest_finite)));
  const __m512i e = _mm512_srli_epi32(mag, 23);
  const __m512i e_or_1 = _mm512_max_epu32(e, _mm512_set1_epi32(1));
  const __m512i min_normal = _mm512_set1_epi32(int(g.min_normal_exponent));
  if (_mm512_cmplt_epu32_mask(e_or_1, min_normal) == 0) {
    // No lane in the row's subnormal range (always so for bf16): d is the same in every
    // lane, and rounding up is the carry of adding r's top d bits to the d dropped bits
    // (the bit trick of the top of stochastic_rounding.hpp).
    const __m128i d = _mm_cvtsi32_si128(int(g.dropped_bits));
    const __m128i top = _mm_cvtsi32_si128(int(32 - g.dropped_bits));
    const __m512i out = _mm512_sll_epi32(_mm512_srl_epi32(_mm512_add_epi32(mag, _mm512_srl_epi32(r, top)), d), d);
    *vanished = _mm512_test_epi32_mask(mag, mag) & ~keep & _mm512_testn_epi32_mask(out, out);
    return _mm512_castsi512_ps(_mm512_mask_mov_epi32(_mm512_or_si512(sign, out), keep, u));
  }
  const __mmask16 subnormal_range = _mm512_cmplt_epu32_mask(e_or_1, min_normal);
  if (g.smallest_subnormal >= 0x00800000u) {
    // Some lanes in the row's subnormal range, whose grid is uniform: multiples of its
    // smallest subnormal q (a normal fp32 power of two, so every step below is exact).
    // There lo = floor(|v|/q) q and F = floor(frac(|v|/q) 2^32); the other lanes take the
    // constant-width path. The same bits as the integer path below, in fewer operations
    // (fp16's small optimizer state lands here often).
    const __m512 q = _mm512_castsi512_ps(_mm512_set1_epi32(int(g.smallest_subnormal)));
    const __m512 inv_q = _mm512_castsi512_ps(_mm512_set1_epi32(int((254u - (g.smallest_subnormal >> 23)) << 23)));
    const __m512 t = _mm512_mul_ps(_mm512_castsi512_ps(mag), inv_q);
    const __m512 whole = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512i fraction = _mm512_cvttps_epu32(_mm512_mul_ps(_mm512_sub_ps(t, whole), _mm512_set1_ps(0x1p32f)));
    const __mmask16 up = _mm512_test_epi32_mask(fraction, fraction) &
                         _mm512_cmpge_epu32_mask(r, _mm512_sub_epi32(_mm512_setzero_si512(), fraction));
    const __m512 tiny = _mm512_mul_ps(_mm512_mask_add_ps(whole, up, whole, _mm512_set1_ps(1.0f)), q);
    const __m128i d = _mm_cvtsi32_si128(int(g.dropped_bits));
    const __m128i top = _mm_cvtsi32_si128(int(32 - g.dropped_bits));
    const __m512i wide = _mm512_sll_epi32(_mm512_srl_epi32(_mm512_add_epi32(mag, _mm512_srl_epi32(r, top)), d), d);
    const __m512i out = _mm512_mask_mov_epi32(wide, subnormal_range, _mm512_castps_si512(tiny));
    *vanished = _mm512_test_epi32_mask(mag, mag) & ~keep & _mm512_testn_epi32_mask(out, out);
    return _mm512_castsi512_ps(_mm512_mask_mov_epi32(_mm512_or_si512(sign, out), keep, u));
  }
  const __m512i extra = _mm512_max_epi32(_mm512_sub_epi32(min_normal, e_or_1), _mm512_setzero_si512());
  const __m512i d = _mm512_add_epi32(_mm512_set1_epi32(int(g.dropped_bits)), extra);
  const __mmask16 normal = _mm512_test_epi32_mask(e, e);
  const __m512i significand = _mm512_mask_or_epi32(
      mag, normal, _mm512_and_si512(mag, _mm512_set1_epi32(0x7fffff)), _mm512_set1_epi32(0x800000));
  // Shift counts of 32 or more give 0 (vpsllvd/vpsrlvd), so exactly one term is non-zero
  // (both are the significand when d = 32).
  const __m512i k32 = _mm512_set1_epi32(32);
  const __m512i fraction = _mm512_or_si512(_mm512_sllv_epi32(significand, _mm512_sub_epi32(k32, d)),
                                           _mm512_srlv_epi32(significand, _mm512_sub_epi32(d, k32)));
  const __mmask16 up = _mm512_test_epi32_mask(fraction, fraction) &
                       _mm512_cmpge_epu32_mask(r, _mm512_sub_epi32(_mm512_setzero_si512(), fraction));
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i on_grid = _mm512_sllv_epi32(
      _mm512_mask_add_epi32(_mm512_srlv_epi32(mag, d), up, _mm512_srlv_epi32(mag, d), one), d);
  const __mmask16 below_subnormal = _mm512_cmpgt_epu32_mask(d, _mm512_set1_epi32(23));
  const __m512i tiny = _mm512_maskz_mov_epi32(up, _mm512_set1_epi32(int(g.smallest_subnormal)));
  const __m512i out = _mm512_mask_mov_epi32(on_grid, below_subnormal, tiny);
  *vanished = _mm512_test_epi32_mask(mag, mag) & ~keep & _mm512_testn_epi32_mask(out, out);
  return _mm512_castsi512_ps(_mm512_mask_mov_epi32(_mm512_or_si512(sign, out), keep, u));
}
// The snap of 16 values to the grid of T: bf16's subnormals are fp32's, so it always drops
// 16 bits and takes the constant-width path (the bit trick); fp16 may not.
template <typename T>
[[gnu::always_inline]] inline __m512 snap_to_x16(__m512 v, const StochasticGrid& g, __m512i r) {
  __mmask16 vanished;  // unused: the optimizer counts its own statistics
  if constexpr (std::is_same_v<T, bf16>) return snap_x16_constant_width(v, g, r, &vanished);
  else return snap_x16(v, g, r, &vanished);
}
#elif defined(MIXPREC_HAS_AVX2_CONVERT)
// The AVX-512 code above on 8 lanes; unsigned compares flip the sign bits of both sides.
inline __m256i mix32_x8(__m256i x) {
  x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 16));
  x = _mm256_mullo_epi32(x, _mm256_set1_epi32(0x21f0aaad));
  x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 15));
  x = _mm256_mullo_epi32(x, _mm256_set1_epi32(0x735a2d97));
  return _mm256_xor_si256(x, _mm256_srli_epi32(x, 15));
}

inline __m256i unsigned_greater(__m256i a, __m256i b) {
  const __m256i flip = _mm256_set1_epi32(int(0x80000000u));
  return _mm256_cmpgt_epi32(_mm256_xor_si256(a, flip), _mm256_xor_si256(b, flip));
}

inline __m256i random_bits_x8(const RandomKey& key, std::uint64_t first) {
  const __m256i base = _mm256_set1_epi32(int(std::uint32_t(first)));
  const __m256i low = _mm256_add_epi32(base, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  const __m256i wrapped = unsigned_greater(base, low);  // all-ones is -1: subtract to add 1
  const __m256i high = _mm256_sub_epi32(_mm256_set1_epi32(int(std::uint32_t(first >> 32))), wrapped);
  const __m256i salt = _mm256_add_epi32(_mm256_set1_epi32(int(key.k0)),
                                        _mm256_mullo_epi32(high, _mm256_set1_epi32(int(0x9e3779b9u))));
  return _mm256_xor_si256(mix32_x8(_mm256_xor_si256(low, salt)), _mm256_set1_epi32(int(key.k1)));
}

inline __m256 snap_x8(__m256 v, const StochasticGrid& g, __m256i r, int* vanished) {
  const __m256i u = _mm256_castps_si256(v);
  const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff), zero = _mm256_setzero_si256();
  const __m256i mag = _mm256_and_si256(u, abs_mask);
  const __m256i sign = _mm256_andnot_si256(abs_mask, u);
  const __m256i keep = _mm256_cmpgt_epi32(mag, _mm256_set1_epi32(int(g.largest_finite)));
  const __m256i e = _mm256_srli_epi32(mag, 23);
  const __m256i e_or_1 = _mm256_max_epi32(e, _mm256_set1_epi32(1));
  const __m256i min_normal = _mm256_set1_epi32(int(g.min_normal_exponent));
  if (_mm256_testz_si256(_mm256_cmpgt_epi32(min_normal, e_or_1), _mm256_set1_epi32(-1))) {
    // No lane in the row's subnormal range: the AVX-512 loop's constant-width fast path.
    const __m128i d = _mm_cvtsi32_si128(int(g.dropped_bits));
    const __m128i top = _mm_cvtsi32_si128(int(32 - g.dropped_bits));
    const __m256i out = _mm256_sll_epi32(_mm256_srl_epi32(_mm256_add_epi32(mag, _mm256_srl_epi32(r, top)), d), d);
    const __m256i lost = _mm256_andnot_si256(
        _mm256_or_si256(keep, _mm256_cmpeq_epi32(mag, zero)), _mm256_cmpeq_epi32(out, zero));
    *vanished = __builtin_popcount(_mm256_movemask_ps(_mm256_castsi256_ps(lost)));
    return _mm256_castsi256_ps(_mm256_blendv_epi8(_mm256_or_si256(sign, out), u, keep));
  }
  const __m256i extra = _mm256_max_epi32(_mm256_sub_epi32(min_normal, e_or_1), zero);
  const __m256i d = _mm256_add_epi32(_mm256_set1_epi32(int(g.dropped_bits)), extra);
  const __m256i normal = _mm256_cmpgt_epi32(e, zero);
  const __m256i significand = _mm256_blendv_epi8(
      mag, _mm256_or_si256(_mm256_and_si256(mag, _mm256_set1_epi32(0x7fffff)), _mm256_set1_epi32(0x800000)),
      normal);
  const __m256i k32 = _mm256_set1_epi32(32);
  const __m256i fraction = _mm256_or_si256(_mm256_sllv_epi32(significand, _mm256_sub_epi32(k32, d)),
                                           _mm256_srlv_epi32(significand, _mm256_sub_epi32(d, k32)));
  const __m256i neg_fraction = _mm256_sub_epi32(zero, fraction);
  // r >= 2^32 - F, F != 0 (the carry of F + r).
  const __m256i up = _mm256_andnot_si256(_mm256_or_si256(_mm256_cmpeq_epi32(fraction, zero),
                                                         unsigned_greater(neg_fraction, r)),
                                         _mm256_set1_epi32(-1));
  const __m256i shifted = _mm256_srlv_epi32(mag, d);
  const __m256i on_grid = _mm256_sllv_epi32(_mm256_sub_epi32(shifted, up), d);
  const __m256i below_subnormal = _mm256_cmpgt_epi32(d, _mm256_set1_epi32(23));
  const __m256i tiny = _mm256_and_si256(up, _mm256_set1_epi32(int(g.smallest_subnormal)));
  const __m256i out = _mm256_blendv_epi8(on_grid, tiny, below_subnormal);
  const __m256i lost = _mm256_andnot_si256(
      _mm256_or_si256(keep, _mm256_cmpeq_epi32(mag, zero)), _mm256_cmpeq_epi32(out, zero));
  *vanished = __builtin_popcount(_mm256_movemask_ps(_mm256_castsi256_ps(lost)));
  return _mm256_castsi256_ps(_mm256_blendv_epi8(_mm256_or_si256(sign, out), u, keep));
}
#endif

}  // namespace mixprec
