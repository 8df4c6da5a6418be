#include "precision/amax.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <cstring>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace mixprec {

std::uint32_t abs_max_bits(const float* x, std::size_t n) {
  std::size_t i = 0;
  std::uint32_t m = 0;
#if defined(__AVX512F__)
  const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff);
  __m512i m0 = _mm512_setzero_si512(), m1 = _mm512_setzero_si512();
  for (; i + 32 <= n; i += 32) {  // two accumulators: the max has a latency of one cycle
    m0 = _mm512_max_epu32(m0, _mm512_and_si512(_mm512_loadu_si512(x + i), abs_mask));
    m1 = _mm512_max_epu32(m1, _mm512_and_si512(_mm512_loadu_si512(x + i + 16), abs_mask));
  }
  if (i + 16 <= n) {
    m0 = _mm512_max_epu32(m0, _mm512_and_si512(_mm512_loadu_si512(x + i), abs_mask));
    i += 16;
  }
  if (i < n) {  // the last 1 to 15 values, with a masked load that reads nothing beyond n
    const __mmask16 tail = static_cast<__mmask16>((1u << (n - i)) - 1u);
    m1 = _mm512_max_epu32(m1, _mm512_maskz_and_epi32(tail, _mm512_maskz_loadu_epi32(tail, x + i),
                                                      abs_mask));
    i = n;
  }
  m = _mm512_reduce_max_epu32(_mm512_max_epu32(m0, m1));
#elif defined(__AVX2__)
  const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff);
  __m256i m0 = _mm256_setzero_si256(), m1 = _mm256_setzero_si256();
  for (; i + 16 <= n; i += 16) {
    m0 = _mm256_max_epu32(
        m0, _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)), abs_mask));
    m1 = _mm256_max_epu32(
        m1,
        _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i + 8)), abs_mask));
  }
  m0 = _mm256_max_epu32(m0, m1);
  alignas(32) std::uint32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), m0);
  for (std::uint32_t lane : lanes) m = std::max(m, lane);
#endif
  for (; i < n; ++i) {  // the scalar loop: the tail of the AVX2 loop, or everything
    std::uint32_t u;
    std::memcpy(&u, x + i, 4);
    m = std::max(m, u & 0x7fffffffu);
  }
  return m;
}

float amax(const float* x, std::size_t n) {
  const std::uint32_t m = abs_max_bits(x, n);
  float a;
  std::memcpy(&a, &m, 4);
  return a;
}

}  // namespace mixprec
