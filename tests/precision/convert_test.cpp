// Bulk (vectorised, threaded) rounding must give the same bits as Eigen's scalar
// conversion, which tests/precision pins against an independent reference; and the
// statistics must count exactly what they claim.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "precision/convert.hpp"

namespace mixprec {
namespace {

std::vector<float> tricky_values() {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 65504.0f, 65520.0f, 1e6f, -1e6f,
                          std::ldexp(1.0f, -24), std::ldexp(1.0f, -25), std::ldexp(1.0f, -26),
                          1e-30f, -1e-30f, 1e-40f, 3.0e38f,
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN()};
  // Every bf16 value, and the fp32 values just below, at and above the tie after it
  // (an fp32 tail of 0x7fff, 0x8000, 0x8001): all exponents, subnormals, inf and NaN.
  for (std::uint32_t high = 0; high < 65536; ++high) {
    for (std::uint32_t tail : {0x0000u, 0x7fffu, 0x8000u, 0x8001u}) {
      const std::uint32_t bits = high << 16 | tail;
      float f;
      std::memcpy(&f, &bits, 4);
      v.push_back(f);
    }
  }
  // Every fp16 value and the midpoint to the next one up (its ties; exact in fp32).
  for (std::uint32_t h = 0; h < 0x7c00; ++h) {
    const float lo = float(Eigen::numext::bit_cast<f16>(std::uint16_t(h)));
    const float hi = float(Eigen::numext::bit_cast<f16>(std::uint16_t(h + 1)));
    const float tie = float((double(lo) + double(hi)) / 2);
    for (float x : {lo, -lo, tie, -tie}) v.push_back(x);
  }
  std::mt19937 rng(1);
  for (int i = 0; i < 100000; ++i) {
    std::uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, 4);
    v.push_back(f);
  }
  return v;
}

template <typename T>
void expect_bulk_equals_scalar() {
  const auto src = tricky_values();
  std::vector<T> bulk(src.size());
  round_from_float<T>(src.data(), bulk.data(), src.size(), kNearestEven, nullptr);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const T scalar = T(src[i]);
    if (std::isnan(src[i])) {
      EXPECT_TRUE(Eigen::numext::isnan(bulk[i])) << i;
    } else {
      ASSERT_EQ(Eigen::numext::bit_cast<std::uint16_t>(bulk[i]),
                Eigen::numext::bit_cast<std::uint16_t>(scalar))
          << "input " << src[i] << " at " << i;
    }
  }
  std::vector<float> back(src.size());
  convert_to_float(FormatOf<T>::value, bulk.data(), back.data(), src.size());
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (!std::isnan(src[i])) {
      ASSERT_EQ(back[i], float(bulk[i]));
    }
  }
}

TEST(Convert, BulkF16EqualsScalar) { expect_bulk_equals_scalar<f16>(); }
TEST(Convert, BulkBf16EqualsScalar) { expect_bulk_equals_scalar<bf16>(); }

TEST(Convert, StatisticsCountUnderflowAndOverflow) {
  // fp16: 1e-8 < 2^-25 flushes to zero; 7e4 > 65520 overflows; inf input is not an overflow.
  const std::vector<float> src = {1e-8f, -1e-8f, 1.0f, 0.0f, 7e4f, -7e4f,
                                  std::numeric_limits<float>::infinity(), 3e-8f};
  std::vector<f16> dst(src.size());
  RoundStats s;
  round_from_float<f16>(src.data(), dst.data(), src.size(), kNearestEven, &s);
  EXPECT_EQ(s.values, 8u);
  EXPECT_EQ(s.nonzero, 7u);    // all but the 0
  EXPECT_EQ(s.underflow, 2u);  // +-1e-8; 3e-8 is above 2^-25 and rounds up to 2^-24
  EXPECT_EQ(s.overflow, 2u);   // +-7e4
  // bf16 has fp32's exponent range: none of these under- or overflow.
  std::vector<bf16> dst_b(src.size());
  RoundStats sb;
  round_from_float<bf16>(src.data(), dst_b.data(), src.size(), kNearestEven, &sb);
  EXPECT_EQ(sb.underflow, 0u);
  EXPECT_EQ(sb.overflow, 0u);
}

TEST(Convert, StatisticsCountNonFiniteResults) {
  // inf and NaN inputs stay non-finite; +-7e4 overflow fp16 (not bf16); 1.0 is finite.
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> src = {inf, -inf, std::numeric_limits<float>::quiet_NaN(), 7e4f,
                                  -7e4f, 1.0f};
  std::vector<f16> h(src.size());
  RoundStats sh;
  round_from_float<f16>(src.data(), h.data(), src.size(), kNearestEven, &sh);
  EXPECT_EQ(sh.nonfinite, 5u);
  std::vector<bf16> b(src.size());
  RoundStats sb;
  round_from_float<bf16>(src.data(), b.data(), src.size(), kNearestEven, &sb);
  EXPECT_EQ(sb.nonfinite, 3u);
}

// The one-pass vector counting must agree with the scalar count_rounding on the same
// results, for every kind of value (random bit patterns cover subnormals, inf and NaN).
template <typename T>
void expect_fused_count_equals_scalar() {
  const auto src = tricky_values();
  std::vector<T> fused(src.size()), plain(src.size());
  RoundStats a, b;
  round_and_count<T>(src.data(), fused.data(), src.size(), a);
  round_from_float<T>(src.data(), plain.data(), src.size(), kNearestEven, nullptr);
  count_rounding(traits(FormatOf<T>::value), src.data(), plain.data(), src.size(), b);
  for (std::size_t i = 0; i < src.size(); ++i)
    ASSERT_EQ(Eigen::numext::bit_cast<std::uint16_t>(fused[i]),
              Eigen::numext::bit_cast<std::uint16_t>(plain[i])) << i;
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.nonzero, b.nonzero);
  EXPECT_EQ(a.underflow, b.underflow);
  EXPECT_EQ(a.overflow, b.overflow);
  EXPECT_EQ(a.nonfinite, b.nonfinite);
  EXPECT_GT(b.underflow, 0u);  // the random patterns do exercise every counter
  EXPECT_GT(b.overflow, 0u);
  EXPECT_GT(b.nonfinite, b.overflow);
}

TEST(Convert, FusedCountF16EqualsScalarCount) { expect_fused_count_equals_scalar<f16>(); }
TEST(Convert, FusedCountBf16EqualsScalarCount) { expect_fused_count_equals_scalar<bf16>(); }

}  // namespace
}  // namespace mixprec
