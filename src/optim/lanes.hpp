#pragma once
// Sixteen fp32 values in one AVX-512 register, with the operations the update rules use.
// A rule's arithmetic is written once, as a template on its value type (optimizer.cpp): the
// array loops run it on float, the one-pass update of 16-bit weights (fused_update.hpp) on
// Lanes16. Each operator is the same IEEE operation as its scalar form (mul_add fuses
// exactly where the scalar mul_add does), so both give the same bits.
#include "common/intrinsics_warnings.hpp"

#include <cmath>

namespace mixprec {
inline float square_root(float x) { return std::sqrt(x); }
}  // namespace mixprec

#if defined(__AVX512F__)
#include <immintrin.h>

namespace mixprec {

struct Lanes16 {
  __m512 v;
  Lanes16() = default;
  Lanes16(float x) : v(_mm512_set1_ps(x)) {}  // NOLINT: a constant in a rule's formula
  explicit Lanes16(__m512 x) : v(x) {}
};

inline Lanes16 operator+(Lanes16 a, Lanes16 b) { return Lanes16(_mm512_add_ps(a.v, b.v)); }
inline Lanes16 operator-(Lanes16 a, Lanes16 b) { return Lanes16(_mm512_sub_ps(a.v, b.v)); }
inline Lanes16 operator*(Lanes16 a, Lanes16 b) { return Lanes16(_mm512_mul_ps(a.v, b.v)); }
inline Lanes16 operator/(Lanes16 a, Lanes16 b) { return Lanes16(_mm512_div_ps(a.v, b.v)); }

// As optim/mul_add.hpp: one rounding where the build has FMA, two where it has not.
inline Lanes16 mul_add(Lanes16 a, Lanes16 b, Lanes16 c) {
#if defined(__FP_FAST_FMAF)
  return Lanes16(_mm512_fmadd_ps(a.v, b.v, c.v));
#else
  return Lanes16(_mm512_add_ps(_mm512_mul_ps(a.v, b.v), c.v));
#endif
}

// Correctly rounded, as std::sqrt.
inline Lanes16 square_root(Lanes16 a) { return Lanes16(_mm512_sqrt_ps(a.v)); }

}  // namespace mixprec
#endif
