// The matmul module against a double-precision reference computed on the same rounded
// inputs, for every format and every transpose combination the MLP uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/aligned_buffer.hpp"
#include "kernels/convert.hpp"
#include "kernels/matmul.hpp"
#include "kernels/weight_pack.hpp"

namespace mixprec {
namespace {

struct Case {
  Format format;
  bool ta, tb;
};

class MatmulTest : public ::testing::TestWithParam<Case> {};

TEST_P(MatmulTest, MatchesDoubleReferenceOnRoundedInputs) {
  const auto [format, ta, tb] = GetParam();
  // Odd sizes catch stride and tail mistakes; k = 300 is a realistic accumulation length.
  const int m = 37, n = 53, k = 300;
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> a32(std::size_t(m) * k), b32(std::size_t(k) * n);
  for (auto& v : a32) v = dist(rng);
  for (auto& v : b32) v = dist(rng);
  Buffer a(format, a32.size()), b(format, b32.size());
  round_from_float(a32.data(), format, a.data(), a32.size());
  round_from_float(b32.data(), format, b.data(), b32.size());
  convert_to_float(format, a.data(), a32.data(), a32.size());  // the values actually used
  convert_to_float(format, b.data(), b32.data(), b32.size());

  // Stored layouts: a is (m,k) or, transposed, (k,m); b is (k,n) or (n,k).
  auto A = [&](int i, int p) { return double(ta ? a32[std::size_t(p) * m + i] : a32[std::size_t(i) * k + p]); };
  auto B = [&](int p, int j) { return double(tb ? b32[std::size_t(j) * k + p] : b32[std::size_t(p) * n + j]); };

  std::vector<float> c(std::size_t(m) * n, -1.0f);
  matmul().multiply(format, a.data(), ta, b.data(), tb, c.data(), m, n, k);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double exact = 0.0, magnitude = 0.0;
      for (int p = 0; p < k; ++p) {
        exact += A(i, p) * B(p, j);
        magnitude += std::abs(A(i, p) * B(p, j));
      }
      // fp32 accumulation of k products (exact for 16-bit inputs, rounded for fp32 ones):
      // |error| <= gamma_k * sum|a*b| with gamma_k ~ k * 2^-24 (Higham, 3.1).
      const double tolerance = (k + 1) * std::ldexp(1.0, -24) * magnitude;
      ASSERT_NEAR(c[std::size_t(i) * n + j], exact, tolerance) << "at (" << i << "," << j << ")";
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllFormatsAndTransposes, MatmulTest,
    ::testing::Values(Case{Format::kF32, false, false}, Case{Format::kF32, true, false},
                      Case{Format::kF32, false, true}, Case{Format::kF32, true, true},
                      Case{Format::kBf16, false, false}, Case{Format::kBf16, true, false},
                      Case{Format::kBf16, false, true}, Case{Format::kF16, false, false},
                      Case{Format::kF16, true, false}, Case{Format::kF16, false, true}),
    [](const auto& info) {
      return to_string(info.param.format) + (info.param.ta ? "_At" : "_A") +
             (info.param.tb ? "_Bt" : "_B");
    });

TEST(MatmulPath, Fp32IsAlwaysNativeAndEveryFormatHasAnAnswer) {
  EXPECT_TRUE(matmul().path(Format::kF32).native);
  for (Format f : {Format::kF16, Format::kBf16}) {
    const auto& p = matmul().path(f);
    EXPECT_FALSE(p.impl.empty());
    if (!p.native) {
      EXPECT_NE(p.impl.find("converted to fp32"), std::string::npos);
    }
  }
}

// The path's subnormal flag is a measurement: exact paths (fp32, and any emulated format,
// whose conversion to fp32 is exact) keep subnormal inputs; a native 16-bit path that reads
// them as zero must do so at other shapes and positions than the probe's too.
TEST(MatmulPath, SubnormalInputsFlagHoldsAwayFromTheProbe) {
  for (Format f : {Format::kF32, Format::kBf16, Format::kF16}) {
    const MatmulPath& path = matmul().path(f);
    if (f == Format::kF32 || !path.native) {
      EXPECT_FALSE(path.subnormal_inputs_as_zero) << to_string(f);
    }
    const int m = 37, n = 53, k = 300;
    const float subnormal = f == Format::kF16 ? 0x1p-22f : 0x1p-133f;  // a different one
    std::vector<float> a32(std::size_t(m) * k, 0.0f), b32(std::size_t(k) * n, 0.0f);
    a32[std::size_t(5) * k + 77] = subnormal;  // a[5][77]
    b32[std::size_t(77) * n + 11] = 1.0f;      // b[77][11]
    Buffer a(f, a32.size()), b(f, b32.size());
    round_from_float(a32.data(), f, a.data(), a32.size());
    round_from_float(b32.data(), f, b.data(), b32.size());
    std::vector<float> c(std::size_t(m) * n, -1.0f);
    matmul().multiply(f, a.data(), false, b.data(), false, c.data(), m, n, k);
    EXPECT_EQ(c[std::size_t(5) * n + 11], path.subnormal_inputs_as_zero ? 0.0f : subnormal)
        << to_string(f) << " " << path.impl;
    // The packed product (the one training uses) runs the same instructions: same answer.
    if (matmul().reads_packed(f, k, n)) {
      Buffer packed(f, packed_shape(f, k, n).values());
      pack_b(f, b.data(), false, k, n, packed.data());
      std::fill(c.begin(), c.end(), -1.0f);
      matmul().multiply_packed(f, a.data(), false, f, packed.data(), c.data(), m, n, k);
      EXPECT_EQ(c[std::size_t(5) * n + 11], path.subnormal_inputs_as_zero ? 0.0f : subnormal)
          << to_string(f) << " packed";
    }
  }
}

}  // namespace
}  // namespace mixprec
