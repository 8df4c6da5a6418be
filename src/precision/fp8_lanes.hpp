#pragma once
// One register of OCP FP8 conversions (NUMERICS.md "8-bit formats"): 16 lanes with AVX-512,
// 8 with AVX2, the codes in the low byte of 32-bit lanes. The array loops and their
// statistics are in fp8_convert.cpp; this file is the arithmetic, written once per ISA and
// parameterised by the row (Fp8Lanes), so that E4M3 and E5M2 share every line.
//
// Encoding y (fp32, already multiplied by its scale), from its bits u, |y| = mag:
//   - NaN (mag > inf's bits): the row's NaN, as the scalar path (generic_format.cpp) makes it
//     (E4M3 S.1111.111, E5M2 S.11111.10);
//   - beyond the largest finite value (mag > its bits), infinities included: +-max. This is
//     the saturation of NUMERICS.md; it also covers the values between max and the midpoint
//     to the next would-be value, which nearest-even would round down to max anyway;
//   - normal range (|y| >= 2^(1-bias)): nearest-even on the fp32 bits, dropping 23 - m
//     fraction bits: add 2^(d-1) - 1 plus the lowest kept bit, shift right by d (a carry
//     into the exponent is the next binade's first code), then rebias the exponent field
//     from fp32's 127 to the row's bias;
//   - subnormal range: |y| + K in fp32, K = 2^(24 - bias - m), whose ulp is the row's
//     subnormal quantum 2^(1 - bias - m): the fp32 addition rounds |y| to that quantum,
//     nearest-even (MXCSR's default mode; mixprec never sets DAZ or FTZ, so fp32 subnormal
//     inputs count), and bits(|y| + K) - bits(K) is the code (2^m: the smallest normal).
// Decoding a code c (exact): c's exponent and mantissa fields shifted into fp32's, read as
// an fp32 number, are the value times 2^(bias - 127) for normal and subnormal codes alike (an
// FP8 subnormal lands on an fp32 subnormal), so one multiply by 2^(127 - bias) gives the
// value; inf and NaN codes are set apart. Every FP8 value is a normal fp32 (and bf16) number.
#include "common/intrinsics_warnings.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "precision/format.hpp"

namespace mixprec {

// A row's constants, in the encodings the lanes work in.
struct Fp8Lanes {
  int dropped_bits;             // 23 - mantissa_bits
  std::uint32_t rebias;         // (127 - bias) << mantissa_bits: fp32's exponent field to the row's
  std::uint32_t min_normal;     // fp32 bits of the smallest normal, 2^(1 - bias)
  std::uint32_t max_finite;     // fp32 bits of the largest finite value
  std::uint32_t max_code;       // the row's code of the largest finite value
  std::uint32_t nan_code;       // the NaN an encoding produces (no sign)
  std::uint32_t inf_code;       // the code of +inf; 0x80 (no code matches) where there is none
  float subnormal_magic;        // K = 2^(24 - bias - m)
  float decode_factor;          // 2^(127 - bias)
};

inline std::uint32_t fp8_float_bits(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}

inline Fp8Lanes fp8_lanes(const FormatTraits& row) {
  const int m = row.mantissa_bits;
  const std::uint32_t exp_ones = (1u << row.exponent_bits) - 1;
  const bool ieee = row.special == SpecialValues::kInfAndNan;
  Fp8Lanes k;
  k.dropped_bits = 23 - m;
  k.rebias = std::uint32_t(127 - row.bias) << m;
  k.min_normal = fp8_float_bits(row.smallest_normal);
  k.max_finite = fp8_float_bits(row.largest_finite);
  k.max_code = (k.max_finite >> k.dropped_bits) - k.rebias;
  k.nan_code = ieee ? (exp_ones << m) | (1u << (m - 1)) : (exp_ones << m) | ((1u << m) - 1);
  k.inf_code = ieee ? exp_ones << m : 0x80u;
  k.subnormal_magic = std::ldexp(1.0f, 24 - row.bias - m);
  k.decode_factor = std::ldexp(1.0f, 127 - row.bias);
  return k;
}

#if defined(__AVX512F__)
// 16 scaled values y encoded: codes (sign included) in the low bytes of the lanes, and the
// lanes that saturated (beyond the largest finite value, not NaN) and that are NaN.
struct Fp8Codes16 {
  __m512i code;
  __mmask16 saturated, nan;
};

inline Fp8Codes16 fp8_encode_x16(__m512 y, const Fp8Lanes& k) {
  const __m512i u = _mm512_castps_si512(y);
  const __m512i mag = _mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff));
  const __m512i sign = _mm512_and_si512(_mm512_srli_epi32(u, 24), _mm512_set1_epi32(0x80));
  const __m128i d = _mm_cvtsi32_si128(k.dropped_bits);
  // Normal range: nearest-even on the bits, then the row's exponent bias.
  const __m512i lsb = _mm512_and_si512(_mm512_srl_epi32(mag, d), _mm512_set1_epi32(1));
  const __m512i half_minus_one = _mm512_set1_epi32(int((1u << (k.dropped_bits - 1)) - 1));
  const __m512i normal = _mm512_sub_epi32(
      _mm512_srl_epi32(_mm512_add_epi32(mag, _mm512_add_epi32(half_minus_one, lsb)), d),
      _mm512_set1_epi32(int(k.rebias)));
  // Subnormal range: the fp32 addition rounds to the row's quantum.
  const __m512 magic = _mm512_set1_ps(k.subnormal_magic);
  const __m512i subnormal = _mm512_sub_epi32(
      _mm512_castps_si512(_mm512_add_ps(_mm512_castsi512_ps(mag), magic)), _mm512_castps_si512(magic));
  const __mmask16 is_normal = _mm512_cmpge_epu32_mask(mag, _mm512_set1_epi32(int(k.min_normal)));
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(mag, _mm512_set1_epi32(0x7f800000));
  const __mmask16 saturated =
      _mm512_cmpgt_epu32_mask(mag, _mm512_set1_epi32(int(k.max_finite))) & ~nan;
  __m512i code = _mm512_mask_mov_epi32(subnormal, is_normal, normal);
  code = _mm512_mask_mov_epi32(code, saturated, _mm512_set1_epi32(int(k.max_code)));
  code = _mm512_mask_mov_epi32(code, nan, _mm512_set1_epi32(int(k.nan_code)));
  return {_mm512_or_si512(code, sign), saturated, nan};
}

// 16 codes (low bytes of the lanes) widened exactly to fp32 bits.
inline __m512i fp8_decode_x16(__m512i code, const Fp8Lanes& k) {
  const __m512i mag8 = _mm512_and_si512(code, _mm512_set1_epi32(0x7f));
  const __m512i sign = _mm512_slli_epi32(_mm512_and_si512(code, _mm512_set1_epi32(0x80)), 24);
  const __m512 scaled = _mm512_castsi512_ps(_mm512_sll_epi32(mag8, _mm_cvtsi32_si128(k.dropped_bits)));
  __m512i bits = _mm512_castps_si512(_mm512_mul_ps(scaled, _mm512_set1_ps(k.decode_factor)));
  const __mmask16 inf = _mm512_cmpeq_epi32_mask(mag8, _mm512_set1_epi32(int(k.inf_code)));
  // NaN: E4M3's one pattern (its inf_code, 0x80, matches no magnitude), or E5M2's codes above inf.
  const __mmask16 nan = _mm512_cmpeq_epi32_mask(mag8, _mm512_set1_epi32(int(k.nan_code))) |
                        _mm512_cmpgt_epi32_mask(mag8, _mm512_set1_epi32(int(k.inf_code)));
  bits = _mm512_mask_mov_epi32(bits, inf, _mm512_set1_epi32(0x7f800000));
  bits = _mm512_mask_mov_epi32(bits, nan, _mm512_set1_epi32(0x7fc00000));
  return _mm512_or_si512(bits, sign);
}
#elif defined(__AVX2__)
// The AVX-512 code above on 8 lanes; masks are lanes of all ones. AVX2 compares only signed
// integers, which is exact here: every operand is a magnitude, below 2^31.
struct Fp8Codes8 {
  __m256i code;
  __m256i saturated, nan;
};

inline Fp8Codes8 fp8_encode_x8(__m256 y, const Fp8Lanes& k) {
  const __m256i u = _mm256_castps_si256(y);
  const __m256i mag = _mm256_and_si256(u, _mm256_set1_epi32(0x7fffffff));
  const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(u, 24), _mm256_set1_epi32(0x80));
  const __m128i d = _mm_cvtsi32_si128(k.dropped_bits);
  const __m256i lsb = _mm256_and_si256(_mm256_srl_epi32(mag, d), _mm256_set1_epi32(1));
  const __m256i half_minus_one = _mm256_set1_epi32(int((1u << (k.dropped_bits - 1)) - 1));
  const __m256i normal = _mm256_sub_epi32(
      _mm256_srl_epi32(_mm256_add_epi32(mag, _mm256_add_epi32(half_minus_one, lsb)), d),
      _mm256_set1_epi32(int(k.rebias)));
  const __m256 magic = _mm256_set1_ps(k.subnormal_magic);
  const __m256i subnormal = _mm256_sub_epi32(
      _mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(mag), magic)), _mm256_castps_si256(magic));
  // mag >= min_normal, as mag > min_normal - 1.
  const __m256i is_normal = _mm256_cmpgt_epi32(mag, _mm256_set1_epi32(int(k.min_normal - 1)));
  const __m256i nan = _mm256_cmpgt_epi32(mag, _mm256_set1_epi32(0x7f800000));
  const __m256i saturated =
      _mm256_andnot_si256(nan, _mm256_cmpgt_epi32(mag, _mm256_set1_epi32(int(k.max_finite))));
  __m256i code = _mm256_blendv_epi8(subnormal, normal, is_normal);
  code = _mm256_blendv_epi8(code, _mm256_set1_epi32(int(k.max_code)), saturated);
  code = _mm256_blendv_epi8(code, _mm256_set1_epi32(int(k.nan_code)), nan);
  return {_mm256_or_si256(code, sign), saturated, nan};
}

inline __m256i fp8_decode_x8(__m256i code, const Fp8Lanes& k) {
  const __m256i mag8 = _mm256_and_si256(code, _mm256_set1_epi32(0x7f));
  const __m256i sign = _mm256_slli_epi32(_mm256_and_si256(code, _mm256_set1_epi32(0x80)), 24);
  const __m256 scaled = _mm256_castsi256_ps(_mm256_sll_epi32(mag8, _mm_cvtsi32_si128(k.dropped_bits)));
  __m256i bits = _mm256_castps_si256(_mm256_mul_ps(scaled, _mm256_set1_ps(k.decode_factor)));
  const __m256i inf = _mm256_cmpeq_epi32(mag8, _mm256_set1_epi32(int(k.inf_code)));
  const __m256i nan = _mm256_or_si256(_mm256_cmpeq_epi32(mag8, _mm256_set1_epi32(int(k.nan_code))),
                                      _mm256_cmpgt_epi32(mag8, _mm256_set1_epi32(int(k.inf_code))));
  bits = _mm256_blendv_epi8(bits, _mm256_set1_epi32(0x7f800000), inf);
  bits = _mm256_blendv_epi8(bits, _mm256_set1_epi32(0x7fc00000), nan);
  return _mm256_or_si256(bits, sign);
}
#endif

}  // namespace mixprec
