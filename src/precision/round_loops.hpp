#pragma once
// The per-ISA loops behind the 16-bit rows of the format table (format_table.cpp) and the
// kernels templated on a storage type: fast array conversions between fp32 and fp16/bf16.
// GCC builds of Eigen 3.4 convert one value at a time in software (its F16C test is
// clang-only), which made the 16-bit modes slower than fp32; these use the CPU's vector
// conversions where the build targets them (AVX-512, 16 values at a time; else AVX2 with
// F16C, 8 at a time) and Eigen's scalar code otherwise. All round to nearest even with
// IEEE subnormals, inf and NaN (tests/kernels pins them to Eigen on every bit pattern).
#include "common/intrinsics_warnings.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__F16C__))
#include <immintrin.h>
#endif
#if !defined(__AVX512F__) && defined(__AVX2__) && defined(__F16C__)
#define MIXPREC_HAS_AVX2_CONVERT 1
#endif

#include "precision/convert.hpp"
#include "precision/format.hpp"
#include "precision/stochastic_rounding.hpp"

namespace mixprec {

// fp32 -> bf16, round to nearest even, NaN kept quiet. Integer arithmetic on the bits
// (not vcvtneps2bf16, which flushes subnormals to zero).
inline std::uint16_t bf16_bits_from_float(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return std::uint16_t((u >> 16) | 0x0040u);
  return std::uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

#if defined(__AVX512F__)
// 16 values rounded to T (RNE, as bf16_bits_from_float / vcvtps2ph), the 16-bit results in
// the low halves of the 32-bit lanes: what the stores narrow and the statistics inspect.
template <typename T>
inline __m512i rounded_bits_x16(__m512 x) {
  if constexpr (std::is_same_v<T, bf16>) {
    const __m512i u = _mm512_castps_si512(x);
    const __m512i high = _mm512_srli_epi32(u, 16);
    const __m512i lsb = _mm512_and_si512(high, _mm512_set1_epi32(1));
    const __m512i r = _mm512_srli_epi32(
        _mm512_add_epi32(u, _mm512_add_epi32(_mm512_set1_epi32(0x7fff), lsb)), 16);
    const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    return _mm512_mask_mov_epi32(r, nan, _mm512_or_si512(high, _mm512_set1_epi32(0x0040)));
  } else {
    return _mm512_cvtepu16_epi32(
        _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
}
#endif

#if defined(MIXPREC_HAS_AVX2_CONVERT)
// 8 values rounded to bf16 (RNE, as bf16_bits_from_float), narrowed to 16-bit lanes.
inline __m128i bf16_bits_x8(__m256 x) {
  const __m256i u = _mm256_castps_si256(x);
  const __m256i high = _mm256_srli_epi32(u, 16);
  const __m256i lsb = _mm256_and_si256(high, _mm256_set1_epi32(1));
  const __m256i r = _mm256_srli_epi32(
      _mm256_add_epi32(u, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), lsb)), 16);
  const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  const __m256i bits =
      _mm256_blendv_epi8(r, _mm256_or_si256(high, _mm256_set1_epi32(0x0040)), nan);
  // Every lane holds a value below 2^16, so the unsigned saturating pack only narrows.
  return _mm_packus_epi32(_mm256_castsi256_si128(bits), _mm256_extracti128_si256(bits, 1));
}
#endif

#if defined(__AVX512BF16__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && \
    defined(__AVX512VL__)
#define MIXPREC_HAS_VCVTNEPS2BF16 1
// 16 values rounded to bf16 by the CPU's vcvtneps2bf16: round to nearest even, NaN kept
// quiet, exactly as bf16_bits_from_float, except that it reads subnormal inputs as zero.
// Lanes with a subnormal input (rare in practice) are redone with the integer rounding.
inline __m256i bf16_bits_x16(__m512 x) {
  const __m256i r = reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(x));
  const __mmask16 subnormal = _mm512_fpclass_ps_mask(x, 0x20);
  if (subnormal == 0) return r;
  return _mm256_mask_mov_epi16(r, subnormal,
                               _mm512_cvtepi32_epi16(rounded_bits_x16<bf16>(x)));
}
#endif

#if defined(__AVX512F__)
// 16 values rounded to T (nearest even, NaN kept quiet), as 16-bit codes; and 16 codes
// widened exactly to fp32. The array loops below and the optimizer's one-pass store use them.
template <typename T>
inline __m256i round_bits_x16(__m512 x) {
  if constexpr (std::is_same_v<T, bf16>) {
#if defined(MIXPREC_HAS_VCVTNEPS2BF16)
    return bf16_bits_x16(x);
#else
    return _mm512_cvtepi32_epi16(rounded_bits_x16<bf16>(x));
#endif
  } else {
    return _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
}

template <typename T>
inline __m512 widen_bits_x16(__m256i bits) {
  if constexpr (std::is_same_v<T, bf16>) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
  } else {
    return _mm512_cvtph_ps(bits);
  }
}
#endif

template <typename T>
inline void to_float_array(const T* src, float* dst, std::size_t n) {
  if constexpr (std::is_same_v<T, float>) {
    std::memcpy(dst, src, n * sizeof(float));
  } else if constexpr (std::is_same_v<T, bf16>) {
    const auto* s = reinterpret_cast<const std::uint16_t*>(src);
    std::size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
      _mm512_storeu_ps(dst + i, widen_bits_x16<bf16>(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i))));
#elif defined(MIXPREC_HAS_AVX2_CONVERT)
    for (; i + 8 <= n; i += 8) {
      const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                          _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
#endif
    for (; i < n; ++i) {
      const std::uint32_t u = std::uint32_t(s[i]) << 16;
      std::memcpy(&dst[i], &u, 4);
    }
  } else {
    std::size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
      _mm512_storeu_ps(dst + i, widen_bits_x16<T>(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))));
#elif defined(MIXPREC_HAS_AVX2_CONVERT)
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(dst + i,
                       _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
#endif
    for (; i < n; ++i) dst[i] = static_cast<float>(src[i]);
  }
}

template <typename T>
inline void from_float_array(const float* src, T* dst, std::size_t n) {
  if constexpr (std::is_same_v<T, float>) {
    if (src != dst) std::memmove(dst, src, n * sizeof(float));
  } else if constexpr (std::is_same_v<T, bf16>) {
    auto* d = reinterpret_cast<std::uint16_t*>(dst);
    std::size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i), round_bits_x16<bf16>(_mm512_loadu_ps(src + i)));
#elif defined(MIXPREC_HAS_AVX2_CONVERT)
    for (; i + 8 <= n; i += 8)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i),
                       bf16_bits_x8(_mm256_loadu_ps(src + i)));
#endif
    for (; i < n; ++i) d[i] = bf16_bits_from_float(src[i]);
  } else {
    std::size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 16 <= n; i += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), round_bits_x16<T>(_mm512_loadu_ps(src + i)));
#elif defined(MIXPREC_HAS_AVX2_CONVERT)
    // F16C's vcvtps2ph: RNE with IEEE subnormals (MXCSR's DAZ, which would read subnormal
    // inputs as zero, is never set).
    for (; i + 8 <= n; i += 8)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                       _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
    for (; i < n; ++i) dst[i] = T(src[i]);
  }
}

// dst = round(src) as `rounding` says, and the counts added to *stats unless it is null: the
// one place where a kernel's own loop meets the rounding mode. Serial.
template <typename T>
inline void round_into(const float* src, T* dst, std::size_t n, const Rounding& rounding,
                       RoundStats* stats) {
  switch (rounding.mode) {
    case RoundingMode::kNearestEven:
      if constexpr (std::is_same_v<T, float>) {
        // fp32 rounds nothing, and a kernel's fp32 pass counts nothing (its statistics
        // are those of the 16-bit roundings).
        if (src != dst) std::memmove(dst, src, n * sizeof(float));
      } else if (stats) {
        round_and_count<T>(src, dst, n, *stats);
      } else {
        from_float_array<T>(src, dst, n);
      }
      return;
    case RoundingMode::kStochastic:
      if constexpr (std::is_same_v<T, float>) {
        if (src != dst) std::memmove(dst, src, n * sizeof(float));
      } else {
        stochastic_round_into<T>(src, dst, n, rounding, stats);
      }
      return;
  }
}

}  // namespace mixprec
