#pragma once
// Shared by the product tests: random operands rounded to their formats, and the check of
// an fp32-accumulated product against a double-precision reference on those same values.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/aligned_buffer.hpp"
#include "precision/convert.hpp"

namespace mixprec::testing {

// a (m, k) and b (k, n) of normal values rounded to a_format and b_format (stored as the
// caller then reads them: a as (k, m) if transposed, b as (n, k)); a32 and b32 hold the
// rounded values, in the same layouts, as the products actually see them.
struct ProductOperands {
  Buffer a, b;
  std::vector<float> a32, b32;
};

inline ProductOperands random_operands(Format a_format, Format b_format, int m, int n, int k,
                                       unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  ProductOperands o{Buffer(a_format, std::size_t(m) * k), Buffer(b_format, std::size_t(k) * n),
                    std::vector<float>(std::size_t(m) * k), std::vector<float>(std::size_t(k) * n)};
  for (auto& v : o.a32) v = dist(rng);
  for (auto& v : o.b32) v = dist(rng);
  round_from_float(o.a32.data(), a_format, o.a.data(), o.a32.size(), kNearestEven, nullptr);
  round_from_float(o.b32.data(), b_format, o.b.data(), o.b32.size(), kNearestEven, nullptr);
  convert_to_float(a_format, o.a.data(), o.a32.data(), o.a32.size());
  convert_to_float(b_format, o.b.data(), o.b32.data(), o.b32.size());
  return o;
}

// c (m, n) against the double product of op(a) and op(b). fp32 accumulation of k products
// (exact for 16-bit inputs, rounded for fp32 ones): |error| <= gamma_k * sum |a*b| with
// gamma_k ~ k * 2^-24 (Higham, 3.1).
inline void expect_matches_double_reference(const ProductOperands& o, bool ta, bool tb,
                                            const std::vector<float>& c, int m, int n, int k) {
  auto A = [&](int i, int p) {
    return double(ta ? o.a32[std::size_t(p) * m + i] : o.a32[std::size_t(i) * k + p]);
  };
  auto B = [&](int p, int j) {
    return double(tb ? o.b32[std::size_t(j) * k + p] : o.b32[std::size_t(p) * n + j]);
  };
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double exact = 0.0, magnitude = 0.0;
      for (int p = 0; p < k; ++p) {
        exact += A(i, p) * B(p, j);
        magnitude += std::abs(A(i, p) * B(p, j));
      }
      const double tolerance = (k + 1) * std::ldexp(1.0, -24) * magnitude;
      ASSERT_NEAR(c[std::size_t(i) * n + j], exact, tolerance) << "at (" << i << "," << j << ")";
    }
}

}  // namespace mixprec::testing
