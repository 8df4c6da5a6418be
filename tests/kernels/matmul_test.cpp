// The matmul module against a double-precision reference computed on the same rounded
// inputs, for every format and every transpose combination the MLP uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/aligned_buffer.hpp"
#include "precision/convert.hpp"
#include "kernels/matmul.hpp"
#include "kernels/weight_pack.hpp"
#include "product_reference.hpp"

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
  const testing::ProductOperands o = testing::random_operands(format, format, m, n, k, 7);
  std::vector<float> c(std::size_t(m) * n, -1.0f);
  matmul().multiply(format, o.a.data(), ta, o.b.data(), tb, c.data(), m, n, k);
  testing::expect_matches_double_reference(o, ta, tb, c, m, n, k);
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
    round_from_float(a32.data(), f, a.data(), a32.size(), kNearestEven, nullptr);
    round_from_float(b32.data(), f, b.data(), b32.size(), kNearestEven, nullptr);
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

// The fused bias + relu epilogue gives exactly the numbers of the plain product followed by
// the bias and relu in fp32 (what bias_activation_forward computes), at the MLP's shapes and
// at odd ones; the negative biases make about half the outputs zero.
TEST(MatmulBiasRelu, EqualsTheProductThenBiasAndReluInFp32) {
  for (auto [m, n, k] : {std::tuple{128, 512, 784}, {128, 512, 512}, {7, 13, 5}, {1, 1, 1}}) {
    const auto o = testing::random_operands(Format::kF32, Format::kF32, m, n, k, 11);
    std::vector<float> bias(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) bias[std::size_t(j)] = float(j % 7) - 3.0f;
    std::vector<float> plain(std::size_t(m) * n), fused(std::size_t(m) * n, -1.0f);
    matmul().multiply(Format::kF32, o.a.data(), false, o.b.data(), false, plain.data(), m, n, k);
    matmul().multiply_bias_relu(o.a.as<float>(), o.b.as<float>(), bias.data(), fused.data(), m,
                                n, k);
    int zeros = 0;
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) {
        const std::size_t at = std::size_t(i) * n + j;
        const float z = plain[at] + bias[std::size_t(j)];
        const float expected = z > 0.0f ? z : 0.0f;
        ASSERT_EQ(fused[at], expected) << m << "x" << n << "x" << k << " at " << i << "," << j;
        zeros += fused[at] == 0.0f;
      }
    }
    if (m * n > 1) {
      EXPECT_GT(zeros, 0) << m << "x" << n << "x" << k;  // the relu was exercised
    }
  }
}

}  // namespace
}  // namespace mixprec
