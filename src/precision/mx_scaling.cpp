#include "precision/mx_scaling.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "precision/amax.hpp"

namespace mixprec {
namespace {

float float_of(std::uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// floor(log2) of a finite, non-zero magnitude given as its bits (sign cleared): the unbiased
// exponent for a normal value; for a subnormal m * 2^-149 (m < 2^23) the top bit of m.
int floor_log2_of_bits(std::uint32_t abs_bits) {
  const int biased = static_cast<int>(abs_bits >> 23);
  if (biased != 0) return biased - 127;
  return (31 - std::countl_zero(abs_bits)) - 149;
}

// The rule of mx_scaling.hpp on a block maximum given as bits (amax.hpp's abs_max_bits).
std::uint8_t code_of_abs_bits(std::uint32_t abs_bits, int emax) {
  if (abs_bits >= 0x7f800000u) return kE8m0Nan;  // an inf or a NaN in the block
  if (abs_bits == 0) return 0;                    // all zeros: X = 2^-127
  const int shared_exp = std::max(floor_log2_of_bits(abs_bits) - emax, -127);
  if (shared_exp > 127) return kE8m0Nan;  // unreachable for finite fp32 and emax >= 0
  return static_cast<std::uint8_t>(shared_exp + 127);
}

// Blocks along rows: each row's blocks are contiguous; 32 values are two 16-lane loads.
void codes_along_rows(const float* x, std::size_t rows, std::size_t cols, int emax,
                      std::uint8_t* codes) {
  const std::size_t blocks = (cols + kMxBlockSize - 1) / kMxBlockSize;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    std::uint8_t* out = codes + r * blocks;
    std::size_t b = 0;
#if defined(__AVX512F__)
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff);
    for (; (b + 1) * kMxBlockSize <= cols; ++b) {
      const float* p = row + b * kMxBlockSize;
      const __m512i m = _mm512_max_epu32(_mm512_and_si512(_mm512_loadu_si512(p), abs_mask),
                                         _mm512_and_si512(_mm512_loadu_si512(p + 16), abs_mask));
      out[b] = code_of_abs_bits(_mm512_reduce_max_epu32(m), emax);
    }
#elif defined(__AVX2__)
    const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff);
    for (; (b + 1) * kMxBlockSize <= cols; ++b) {
      const auto* p = reinterpret_cast<const __m256i*>(row + b * kMxBlockSize);
      const __m256i m = _mm256_max_epu32(
          _mm256_max_epu32(_mm256_and_si256(_mm256_loadu_si256(p), abs_mask),
                           _mm256_and_si256(_mm256_loadu_si256(p + 1), abs_mask)),
          _mm256_max_epu32(_mm256_and_si256(_mm256_loadu_si256(p + 2), abs_mask),
                           _mm256_and_si256(_mm256_loadu_si256(p + 3), abs_mask)));
      // Horizontal max of 8 lanes: halves, then pairs.
      __m128i h = _mm_max_epu32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
      h = _mm_max_epu32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(1, 0, 3, 2)));
      h = _mm_max_epu32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(2, 3, 0, 1)));
      out[b] = code_of_abs_bits(static_cast<std::uint32_t>(_mm_cvtsi128_si32(h)), emax);
    }
#endif
    for (; b < blocks; ++b) {  // the partial last block (or every block without SIMD)
      const std::size_t begin = b * kMxBlockSize;
      out[b] = code_of_abs_bits(abs_max_bits(row + begin, std::min(kMxBlockSize, cols - begin)),
                                emax);
    }
  }
}

// Blocks along columns: a block is 32 rows of one column. Loading 16 (8) neighbouring columns
// of each row and taking lane-wise maxima gives 16 (8) blocks at once, with contiguous loads.
void codes_along_columns(const float* x, std::size_t rows, std::size_t cols, int emax,
                         std::uint8_t* codes) {
  const std::size_t row_blocks = (rows + kMxBlockSize - 1) / kMxBlockSize;
  for (std::size_t rb = 0; rb < row_blocks; ++rb) {
    const std::size_t r0 = rb * kMxBlockSize, r1 = std::min(rows, r0 + kMxBlockSize);
    std::uint8_t* out = codes + rb * cols;
    std::size_t j = 0;
#if defined(__AVX512F__)
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff);
    alignas(64) std::uint32_t lanes[16];
    for (; j < cols; j += 16) {
      const std::size_t width = std::min<std::size_t>(16, cols - j);
      const __mmask16 k = static_cast<__mmask16>((1u << width) - 1u);  // width 16: 0xffff
      __m512i m = _mm512_setzero_si512();
      for (std::size_t r = r0; r < r1; ++r) {
        m = _mm512_max_epu32(m, _mm512_maskz_and_epi32(k, _mm512_maskz_loadu_epi32(k, x + r * cols + j),
                                                       abs_mask));
      }
      _mm512_store_si512(lanes, m);
      for (std::size_t l = 0; l < width; ++l) out[j + l] = code_of_abs_bits(lanes[l], emax);
    }
#elif defined(__AVX2__)
    const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff);
    alignas(32) std::uint32_t lanes[8];
    for (; j + 8 <= cols; j += 8) {
      __m256i m = _mm256_setzero_si256();
      for (std::size_t r = r0; r < r1; ++r) {
        m = _mm256_max_epu32(
            m, _mm256_and_si256(
                   _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + r * cols + j)), abs_mask));
      }
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), m);
      for (std::size_t l = 0; l < 8; ++l) out[j + l] = code_of_abs_bits(lanes[l], emax);
    }
#endif
    for (; j < cols; ++j) {  // the last columns (AVX2), or every column without SIMD
      std::uint32_t m = 0;
      for (std::size_t r = r0; r < r1; ++r) {
        std::uint32_t u;
        std::memcpy(&u, x + r * cols + j, 4);
        m = std::max(m, u & 0x7fffffffu);
      }
      out[j] = code_of_abs_bits(m, emax);
    }
  }
}

}  // namespace

float e8m0_to_float(std::uint8_t code) {
  if (code == kE8m0Nan) return std::numeric_limits<float>::quiet_NaN();
  // 2^(c - 127): the fp32 pattern with biased exponent c, or for c = 0 the subnormal 2^-127.
  return code == 0 ? float_of(0x00400000u) : float_of(std::uint32_t(code) << 23);
}

float e8m0_inverse(std::uint8_t code) {
  if (code == kE8m0Nan) return std::numeric_limits<float>::quiet_NaN();
  // 2^(127 - c): biased exponent 254 - c for c <= 253; c = 254 gives 2^-127, a subnormal.
  return code == 254 ? float_of(0x00400000u) : float_of(std::uint32_t(254 - code) << 23);
}

int floor_log2(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return floor_log2_of_bits(u & 0x7fffffffu);
}

int mx_element_emax(float max_finite) { return floor_log2(max_finite); }

std::uint8_t mx_scale_code_from_amax(float amax, int emax) {
  std::uint32_t u;
  std::memcpy(&u, &amax, 4);
  return code_of_abs_bits(u & 0x7fffffffu, emax);
}

std::uint8_t mx_scale_code(const float* x, std::size_t n, int emax) {
  return code_of_abs_bits(abs_max_bits(x, n), emax);
}

MxScaleShape mx_scale_shape(std::size_t rows, std::size_t cols, MxBlockAxis axis) {
  const auto blocks = [](std::size_t n) { return (n + kMxBlockSize - 1) / kMxBlockSize; };
  if (axis == MxBlockAxis::kAlongRow) return {rows, blocks(cols)};
  return {blocks(rows), cols};
}

void mx_scale_codes(const float* x, std::size_t rows, std::size_t cols, MxBlockAxis axis,
                    int emax, std::uint8_t* codes) {
  switch (axis) {
    case MxBlockAxis::kAlongRow: codes_along_rows(x, rows, cols, emax, codes); return;
    case MxBlockAxis::kAlongColumn: codes_along_columns(x, rows, cols, emax, codes); return;
  }
}

}  // namespace mixprec
