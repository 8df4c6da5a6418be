// pack_b's vector loops against its one-value-at-a-time reference (bit for bit, padding
// included), and products of packed operands against a double-precision reference: the
// second is what shows the offsets are the ones oneDNN's kernel reads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/aligned_buffer.hpp"
#include "precision/convert.hpp"
#include "kernels/matmul.hpp"
#include "kernels/weight_pack.hpp"
#include "product_reference.hpp"

namespace mixprec {
namespace {

struct PackCase {
  Format format;
  bool transposed;
  int k, n;
};

class PackTest : public ::testing::TestWithParam<PackCase> {};

TEST_P(PackTest, VectorPackingEqualsTheReferenceBitForBit) {
  const auto [format, transposed, k, n] = GetParam();
  const std::size_t bytes = std::size_t(k) * n * bytes_per_value(format);
  // Random bits: packing moves bits, so NaN and subnormal patterns must pass untouched.
  std::vector<std::uint8_t> src(bytes);
  std::mt19937 rng(11);
  for (auto& b : src) b = std::uint8_t(rng());
  const std::size_t packed_bytes = packed_shape(format, k, n).values() * bytes_per_value(format);
  std::vector<std::uint8_t> fast(packed_bytes, 0xab), reference(packed_bytes, 0xcd);
  pack_b(format, src.data(), transposed, k, n, fast.data());
  pack_b_reference(format, src.data(), transposed, k, n, reference.data());
  std::size_t first_difference = packed_bytes;
  for (std::size_t i = 0; i < packed_bytes && first_difference == packed_bytes; ++i)
    if (fast[i] != reference[i]) first_difference = i;
  EXPECT_EQ(first_difference, packed_bytes) << "first differing byte";
}

TEST(PackShape, PadsKToTheKernelsBlockAndNToWholePanels) {
  const PackedShape f32 = packed_shape(Format::kF32, 784, 10);
  EXPECT_EQ(f32.k_pad, 784);  // a multiple of 16 already
  EXPECT_EQ(f32.n_pad, 64);
  const PackedShape bf16 = packed_shape(Format::kBf16, 784, 512);
  EXPECT_EQ(bf16.k_pad, 800);  // 25 blocks of 32 rows
  EXPECT_EQ(bf16.n_pad, 512);
  EXPECT_EQ(bf16.values(), 800u * 512u);
  // The layout goes by value width: every 2-byte format pairs rows as bf16 does (whether
  // oneDNN reads it so is Matmul::reads_packed's question).
  const PackedShape f16 = packed_shape(Format::kF16, 784, 512);
  EXPECT_EQ(f16.k_pad, bf16.k_pad);
  EXPECT_EQ(f16.n_pad, bf16.n_pad);
}

TEST(PackReference, Bf16InterleavesRowPairsWithinPanels) {
  // b (3, 2) = [[1,2],[3,4],[5,6]] as integers in the bf16 bit patterns: packed rows 0,1
  // pair up value by value, row 2 pairs with a zero row, and everything else is zero.
  const std::uint16_t b[6] = {1, 2, 3, 4, 5, 6};
  const PackedShape s = packed_shape(Format::kBf16, 3, 2);
  std::vector<std::uint16_t> packed(s.values(), 0xffff);
  pack_b_reference(Format::kBf16, b, false, 3, 2, packed.data());
  EXPECT_EQ(packed[0], 1);
  EXPECT_EQ(packed[1], 3);
  EXPECT_EQ(packed[2], 2);
  EXPECT_EQ(packed[3], 4);
  EXPECT_EQ(packed[4], 0);  // column 2: padding
  EXPECT_EQ(packed[128], 5);
  EXPECT_EQ(packed[129], 0);  // row 3: padding
  EXPECT_EQ(packed[130], 6);
  std::size_t nonzero = 0;
  for (auto v : packed) nonzero += v != 0;
  EXPECT_EQ(nonzero, 6u);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PackTest,
    ::testing::Values(
        // the benchmark MLP's operands: w (in, out), w^T as b (out, in), dz (batch, out)
        PackCase{Format::kF32, false, 784, 512}, PackCase{Format::kF32, true, 512, 784},
        PackCase{Format::kF32, false, 512, 10}, PackCase{Format::kF32, true, 10, 512},
        PackCase{Format::kF32, false, 128, 512}, PackCase{Format::kBf16, false, 784, 512},
        PackCase{Format::kBf16, true, 512, 784}, PackCase{Format::kBf16, false, 512, 10},
        PackCase{Format::kBf16, true, 10, 512}, PackCase{Format::kBf16, false, 96, 512},
        // tails in both directions, odd k (bf16 pairs straddle source rows), tiny
        PackCase{Format::kF32, false, 37, 70}, PackCase{Format::kF32, true, 37, 70},
        PackCase{Format::kBf16, false, 37, 70}, PackCase{Format::kBf16, true, 37, 70},
        PackCase{Format::kBf16, true, 38, 130}, PackCase{Format::kF32, true, 3, 5},
        PackCase{Format::kBf16, false, 1, 1}),
    [](const auto& info) {
      const auto& p = info.param;
      return to_string(p.format) + (p.transposed ? "_T_" : "_") + std::to_string(p.k) + "x" +
             std::to_string(p.n);
    });

struct ProductCase {
  Format a_format, b_format;
  bool transpose_a, b_stored_transposed;
};

class PackedProductTest : public ::testing::TestWithParam<ProductCase> {};

TEST_P(PackedProductTest, MatchesDoubleReferenceOnRoundedInputs) {
  const auto [a_format, b_format, ta, tb] = GetParam();
  const int m = 37, n = 53, k = 300;  // n and k not multiples of the blocks: padding is read
  if (!matmul().reads_packed(b_format, k, n))
    GTEST_SKIP() << "oneDNN does not read " << to_string(b_format) << " packed on this CPU";
  const testing::ProductOperands o = testing::random_operands(a_format, b_format, m, n, k, 5);
  Buffer packed(b_format, packed_shape(b_format, k, n).values());
  pack_b(b_format, o.b.data(), tb, k, n, packed.data());
  std::vector<float> c(std::size_t(m) * n, -1.0f);
  matmul().multiply_packed(a_format, o.a.data(), ta, b_format, packed.data(), c.data(), m, n, k);
  testing::expect_matches_double_reference(o, ta, tb, c, m, n, k);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, PackedProductTest,
    ::testing::Values(ProductCase{Format::kF32, Format::kF32, false, false},
                      ProductCase{Format::kF32, Format::kF32, true, false},
                      ProductCase{Format::kF32, Format::kF32, false, true},
                      ProductCase{Format::kBf16, Format::kBf16, false, false},
                      ProductCase{Format::kBf16, Format::kBf16, true, false},
                      ProductCase{Format::kBf16, Format::kBf16, false, true}),
    [](const auto& info) {
      const auto& p = info.param;
      return to_string(p.a_format) + (p.transpose_a ? "t_" : "_") + to_string(p.b_format) +
             (p.b_stored_transposed ? "t" : "");
    });

TEST(PackedProduct, RefusesAShapeWithoutAPackedLayout) {
  // fp16 has no packed layout in this tool (its products run in fp32 where not native).
  EXPECT_FALSE(matmul().reads_packed(Format::kF16, 64, 64));
  std::vector<float> c(16);
  Buffer a(Format::kF16, 16), b(Format::kF16, 16);
  EXPECT_THROW(
      matmul().multiply_packed(Format::kF16, a.data(), false, Format::kF16, b.data(), c.data(),
                               4, 4, 4),
      std::logic_error);
  // Operands of two formats are refused rather than converted behind the caller's back.
  Buffer b32(Format::kF32, 64 * 64);
  if (matmul().reads_packed(Format::kF32, 4, 4)) {
    EXPECT_THROW(matmul().multiply_packed(Format::kF16, a.data(), false, Format::kF32,
                                          b32.data(), c.data(), 4, 4, 4),
                 std::logic_error);
  }
}

}  // namespace
}  // namespace mixprec
