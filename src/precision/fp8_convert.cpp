#include "precision/fp8_convert.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "precision/fp8_lanes.hpp"
#include "precision/generic_format.hpp"
#include "precision/stochastic_rounding.hpp"

namespace mixprec {
namespace {

void require_fp8(const FormatTraits& row, const char* where) {
  if (row.bits != 8 || row.storage_bytes != 1 || row.overflow != OverflowRule::kSaturate)
    throw std::logic_error(std::string(where) + ": " + std::string(row.name) +
                           " is not a saturating 8-bit row");
}

// What one call counted; amax as fp32 bits (the maximum of non-negative floats is the
// maximum of their bits as integers).
struct Tally {
  std::uint64_t nonzero = 0, underflow = 0, overflow = 0, nonfinite = 0, saturated = 0;
  std::uint32_t amax_bits = 0;
};

#if defined(__AVX512F__)
// Per-lane counters of one call: non-zero inputs (2^32 per lane is far beyond any tensor
// here) and the amax bits. Underflow, saturation and NaN are counted with popcounts only in
// the blocks where one occurs.
struct Lanes16 {
  __m512i nonzero = _mm512_setzero_si512(), amax = _mm512_setzero_si512();
};

// Up to 16 values (the lanes set in `lanes`; the others read as 0, which counts nothing).
template <bool kCount>
void encode_x16(const float* src, std::uint8_t* dst, __mmask16 lanes, __m512 scale,
                const Fp8Lanes& k, Tally& t, Lanes16& acc) {
  const __m512 x = _mm512_maskz_loadu_ps(lanes, src);
  const Fp8Codes16 c = fp8_encode_x16(_mm512_mul_ps(x, scale), k);
  _mm512_mask_cvtepi32_storeu_epi8(dst, lanes, c.code);
  if constexpr (kCount) {
    const __m512i in_mag = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(0x7fffffff));
    const __m512i out_mag = _mm512_and_si512(c.code, _mm512_set1_epi32(0x7f));
    const __mmask16 in_nonzero = _mm512_test_epi32_mask(in_mag, in_mag);
    const __mmask16 in_finite = _mm512_cmplt_epu32_mask(in_mag, _mm512_set1_epi32(0x7f800000));
    acc.nonzero = _mm512_mask_add_epi32(acc.nonzero, in_nonzero, acc.nonzero, _mm512_set1_epi32(1));
    acc.amax = _mm512_mask_max_epu32(acc.amax, in_finite, acc.amax, in_mag);
    const __mmask16 lost = in_nonzero & _mm512_testn_epi32_mask(out_mag, out_mag);
    if ((lost | c.saturated | c.nan) == 0) return;  // the common case
    t.underflow += __builtin_popcount(lost);
    t.overflow += __builtin_popcount(c.saturated & in_finite);
    t.nonfinite += __builtin_popcount(c.nan);
    t.saturated += __builtin_popcount(c.saturated);
  }
}

template <bool kCount>
Tally encode_array(const float* src, std::uint8_t* dst, std::size_t n, float scale, const Fp8Lanes& k) {
  Tally t;
  Lanes16 acc;
  const __m512 s = _mm512_set1_ps(scale);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) encode_x16<kCount>(src + i, dst + i, 0xffff, s, k, t, acc);
  if (i < n) encode_x16<kCount>(src + i, dst + i, __mmask16((1u << (n - i)) - 1), s, k, t, acc);
  if constexpr (kCount) {
    alignas(64) std::uint32_t lanes[16];
    _mm512_store_si512(lanes, acc.nonzero);
    for (std::uint32_t c : lanes) t.nonzero += c;
    t.amax_bits = _mm512_reduce_max_epu32(acc.amax);
  }
  return t;
}

// Up to 16 codes; the tail goes through a buffer (reads stay inside src).
template <typename Store>
void decode_array(const std::uint8_t* src, std::size_t n, const Fp8Lanes& k, Store store) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16)
    store(i, 0xffff, fp8_decode_x16(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))), k));
  if (i == n) return;
  alignas(16) std::uint8_t tail[16] = {};
  std::memcpy(tail, src + i, n - i);
  store(i, __mmask16((1u << (n - i)) - 1),
        fp8_decode_x16(_mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(tail))), k));
}

void decode_to_float(const std::uint8_t* src, float* dst, std::size_t n, const Fp8Lanes& k) {
  decode_array(src, n, k, [&](std::size_t i, __mmask16 lanes, __m512i bits) {
    _mm512_mask_storeu_ps(dst + i, lanes, _mm512_castsi512_ps(bits));
  });
}

void decode_to_bf16(const std::uint8_t* src, bf16* dst, std::size_t n, const Fp8Lanes& k) {
  // Every FP8 value has at most 3 significant bits: its fp32 encoding's low half is zero.
  decode_array(src, n, k, [&](std::size_t i, __mmask16 lanes, __m512i bits) {
    _mm512_mask_cvtepi32_storeu_epi16(dst + i, lanes, _mm512_srli_epi32(bits, 16));
  });
}
#elif defined(__AVX2__)
// The AVX-512 loop's counters on 8 lanes: zero inputs per lane (subtracting an all-ones
// compare adds 1), the amax bits; the rare counts only in blocks where one occurs.
struct Lanes8 {
  __m256i zero_inputs = _mm256_setzero_si256(), amax = _mm256_setzero_si256();
};

// 8 values; lanes past n are handled by the caller through a zeroed buffer (0 counts nothing
// but a zero input, which the caller takes off).
template <bool kCount>
void encode_x8(const float* src, std::uint8_t* dst, __m256 scale, const Fp8Lanes& k, Tally& t,
               Lanes8& acc) {
  const __m256 x = _mm256_loadu_ps(src);
  const Fp8Codes8 c = fp8_encode_x8(_mm256_mul_ps(x, scale), k);
  // Codes are below 256: the saturating packs only narrow.
  const __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(c.code), _mm256_extracti128_si256(c.code, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), _mm_packus_epi16(words, words));
  if constexpr (kCount) {
    auto count = [](__m256i lanes) { return __builtin_popcount(_mm256_movemask_ps(_mm256_castsi256_ps(lanes))); };
    const __m256i zero = _mm256_setzero_si256();
    const __m256i in_mag = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
    const __m256i out_zero = _mm256_cmpeq_epi32(_mm256_and_si256(c.code, _mm256_set1_epi32(0x7f)), zero);
    const __m256i in_zero = _mm256_cmpeq_epi32(in_mag, zero);
    const __m256i in_finite = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x7f800000), in_mag);
    acc.zero_inputs = _mm256_sub_epi32(acc.zero_inputs, in_zero);
    acc.amax = _mm256_max_epi32(acc.amax, _mm256_and_si256(in_mag, in_finite));  // magnitudes: signed max is exact
    const __m256i lost = _mm256_andnot_si256(in_zero, out_zero);
    const __m256i rare = _mm256_or_si256(lost, _mm256_or_si256(c.saturated, c.nan));
    if (_mm256_testz_si256(rare, rare)) return;  // the common case
    t.underflow += count(lost);
    t.overflow += count(_mm256_and_si256(c.saturated, in_finite));
    t.nonfinite += count(c.nan);
    t.saturated += count(c.saturated);
  }
}

template <bool kCount>
Tally encode_array(const float* src, std::uint8_t* dst, std::size_t n, float scale, const Fp8Lanes& k) {
  Tally t;
  Lanes8 acc;
  const __m256 s = _mm256_set1_ps(scale);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) encode_x8<kCount>(src + i, dst + i, s, k, t, acc);
  std::size_t padding = 0;
  if (i < n) {
    float in[8] = {};
    std::uint8_t out[8];
    std::memcpy(in, src + i, (n - i) * sizeof(float));
    encode_x8<kCount>(in, out, s, k, t, acc);
    std::memcpy(dst + i, out, n - i);
    padding = 8 - (n - i);
  }
  if constexpr (kCount) {
    alignas(32) std::uint32_t zeros[8], amax[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(zeros), acc.zero_inputs);
    _mm256_store_si256(reinterpret_cast<__m256i*>(amax), acc.amax);
    std::uint64_t zero_inputs = 0;
    for (std::uint32_t z : zeros) zero_inputs += z;
    t.nonzero = n + padding - zero_inputs;
    t.amax_bits = *std::max_element(amax, amax + 8);
  }
  return t;
}

// 8 codes at a time; the tail goes through a buffer (reads stay inside src).
template <typename Store>
void decode_array(const std::uint8_t* src, std::size_t n, const Fp8Lanes& k, Store store) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    store(i, 8, fp8_decode_x8(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i))), k));
  if (i == n) return;
  alignas(8) std::uint8_t tail[8] = {};
  std::memcpy(tail, src + i, n - i);
  store(i, n - i, fp8_decode_x8(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(tail))), k));
}

void decode_to_float(const std::uint8_t* src, float* dst, std::size_t n, const Fp8Lanes& k) {
  decode_array(src, n, k, [&](std::size_t i, std::size_t len, __m256i bits) {
    if (len == 8) return _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(bits));
    alignas(32) float out[8];
    _mm256_store_ps(out, _mm256_castsi256_ps(bits));
    std::memcpy(dst + i, out, len * sizeof(float));
  });
}

void decode_to_bf16(const std::uint8_t* src, bf16* dst, std::size_t n, const Fp8Lanes& k) {
  decode_array(src, n, k, [&](std::size_t i, std::size_t len, __m256i bits) {
    const __m256i high = _mm256_srli_epi32(bits, 16);  // every FP8 value is exact in bf16
    const __m128i words = _mm_packus_epi32(_mm256_castsi256_si128(high), _mm256_extracti128_si256(high, 1));
    if (len == 8) return _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), words);
    alignas(16) std::uint16_t out[8];
    _mm_store_si128(reinterpret_cast<__m128i*>(out), words);
    std::memcpy(dst + i, out, len * sizeof(std::uint16_t));
  });
}
#else
// No vector unit targeted: the scalar path of generic_format.cpp, and the counts per value.
template <bool kCount>
Tally encode_array(const float* src, std::uint8_t* dst, std::size_t n, float scale, const Fp8Lanes& k,
                   const FormatTraits& row) {
  Tally t;
  constexpr std::size_t kBlock = 256;
  float y[kBlock];
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t len = std::min(kBlock, n - begin);
    for (std::size_t i = 0; i < len; ++i) y[i] = src[begin + i] * scale;
    from_float_by_widths(row, y, dst + begin, len, kNearestEven, nullptr);
    if constexpr (kCount) {
      for (std::size_t i = 0; i < len; ++i) {
        const float x = src[begin + i];
        const bool saturated = !std::isnan(y[i]) && std::fabs(y[i]) > row.largest_finite;
        t.nonzero += x != 0.0f;
        t.underflow += x != 0.0f && (dst[begin + i] & 0x7f) == 0;
        t.overflow += saturated && std::isfinite(x);
        t.nonfinite += std::isnan(y[i]);
        t.saturated += saturated;
        if (std::isfinite(x)) t.amax_bits = std::max(t.amax_bits, fp8_float_bits(std::fabs(x)));
      }
    }
  }
  (void)k;
  return t;
}
#endif

}  // namespace

void round_to_fp8(const FormatTraits& row, const float* src, std::uint8_t* dst, std::size_t n,
                  float scale, RoundStats* stats, float* amax) {
  require_fp8(row, "round_to_fp8");
  const Fp8Lanes k = fp8_lanes(row);
#if defined(__AVX512F__) || defined(__AVX2__)
  const auto encode = [&](auto count) { return encode_array<decltype(count)::value>(src, dst, n, scale, k); };
#else
  const auto encode = [&](auto count) { return encode_array<decltype(count)::value>(src, dst, n, scale, k, row); };
#endif
  if (stats == nullptr && amax == nullptr) {
    encode(std::false_type{});
    return;
  }
  const Tally t = encode(std::true_type{});
  if (stats) *stats += RoundStats{n, t.nonzero, t.underflow, t.overflow, t.nonfinite, t.saturated};
  if (amax) {
    float a;
    std::memcpy(&a, &t.amax_bits, 4);
    *amax = std::max(*amax, a);
  }
}

void fp8_to_float(const FormatTraits& row, const std::uint8_t* src, float* dst, std::size_t n) {
  require_fp8(row, "fp8_to_float");
#if defined(__AVX512F__) || defined(__AVX2__)
  decode_to_float(src, dst, n, fp8_lanes(row));
#else
  to_float_by_widths(row, src, dst, n);
#endif
}

void fp8_to_bf16(const FormatTraits& row, const std::uint8_t* src, bf16* dst, std::size_t n) {
  require_fp8(row, "fp8_to_bf16");
#if defined(__AVX512F__) || defined(__AVX2__)
  decode_to_bf16(src, dst, n, fp8_lanes(row));
#else
  for (std::size_t i = 0; i < n; ++i) {
    float f;
    to_float_by_widths(row, src + i, &f, 1);
    const std::uint16_t high = std::uint16_t(fp8_float_bits(f) >> 16);
    std::memcpy(dst + i, &high, 2);
  }
#endif
}

void fp8_row_to_float(const FormatTraits& row, const void* src, float* dst, std::size_t n) {
  fp8_to_float(row, static_cast<const std::uint8_t*>(src), dst, n);
}

void fp8_row_from_float(const FormatTraits& row, const float* src, void* dst, std::size_t n,
                        const Rounding& rounding, RoundStats* stats) {
  switch (rounding.mode) {
    case RoundingMode::kNearestEven:
      round_to_fp8(row, src, static_cast<std::uint8_t*>(dst), n, 1.0f, stats, nullptr);
      return;
    case RoundingMode::kStochastic:
      stochastic_round_row(row, src, dst, n, rounding, stats);
      return;
  }
}

}  // namespace mixprec
