// MX block scales (mx_scaling.hpp): E8M0 decoding of all 256 codes, the exact floor(log2),
// hand-made blocks whose shared exponent is solved by hand (OCP MX v1.0: X =
// 2^(floor(log2 amax) - emax)), the saturation of the block maximum with a scalar E4M3
// quantiser written here, blocks of zeros, subnormal, NaN and infinite amaxes, the clamp at
// 2^-127, and the code matrices along rows and columns (partial last blocks included)
// against a scalar reference that uses frexp instead of the bits.
// All comparisons are exact: an E8M0 code is an integer function of the block.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "precision/mx_scaling.hpp"

namespace mixprec {
namespace {

constexpr int kE4m3Emax = 8;   // 448 = 1.75 * 2^8
constexpr int kE5m2Emax = 15;  // 57344 = 1.75 * 2^15
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

// ---- scalar references (no bit manipulation) -----------------------------------------------

// The spec's rule with frexp (x = f * 2^e, f in [0.5, 1), exact for fp32 subnormals, which
// are normal doubles): floor(log2 x) = e - 1; the clamp at -127; NaN for a non-finite amax.
std::uint8_t reference_code(const std::vector<float>& block, int emax) {
  double m = 0.0;
  for (float v : block) {
    if (!std::isfinite(v)) return 0xFF;
    m = std::max(m, std::fabs(double(v)));
  }
  if (m == 0.0) return 0;
  int e = 0;
  std::frexp(m, &e);
  return static_cast<std::uint8_t>(std::max(e - 1 - emax, -127) + 127);
}

// fp32 -> E4M3 (OCP E4M3FN) value, nearest even, saturating at 448 (NUMERICS.md): the
// spacing in the binade of |v| is 2^(e-3), with e >= -6 (the subnormals' spacing 2^-9).
double reference_e4m3(double v) {
  const double a = std::fabs(v);
  if (a == 0.0) return v;
  int e = 0;
  std::frexp(a, &e);
  const double step = std::ldexp(1.0, std::max(e - 1, -6) - 3);
  double q = a / step;
  double r = std::floor(q);
  if (q - r > 0.5 || (q - r == 0.5 && std::fmod(r, 2.0) == 1.0)) r += 1.0;
  q = std::min(r * step, 448.0);
  return v < 0 ? -q : q;
}

std::vector<float> block_with_max(float max, std::size_t n = 32, std::size_t at = 5) {
  std::vector<float> b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = max * float(i % 7) / 8.0f;  // all below max
  b[at] = max;
  return b;
}

std::uint8_t code_of(const std::vector<float>& b, int emax) {
  return mx_scale_code(b.data(), b.size(), emax);
}

// ---- E8M0 and floor(log2) ------------------------------------------------------------------

TEST(E8m0, EveryCodeDecodesToItsPowerOfTwo) {
  for (int c = 0; c < 255; ++c) {
    const auto code = static_cast<std::uint8_t>(c);
    EXPECT_EQ(e8m0_to_float(code), std::ldexp(1.0f, c - 127)) << c;  // c = 0: 2^-127
    EXPECT_EQ(e8m0_inverse(code), std::ldexp(1.0f, 127 - c)) << c;
    EXPECT_EQ(e8m0_to_float(code) * e8m0_inverse(code), 1.0f) << c;
  }
  EXPECT_TRUE(std::isnan(e8m0_to_float(kE8m0Nan)));
  EXPECT_TRUE(std::isnan(e8m0_inverse(kE8m0Nan)));
}

TEST(FloorLog2, ExactAtAndJustBelowEveryPowerOfTwo) {
  for (int k = -149; k <= 127; ++k) {
    const float p = std::ldexp(1.0f, k);
    EXPECT_EQ(floor_log2(p), k);
    EXPECT_EQ(floor_log2(-p), k);
    if (k > -149) {
      EXPECT_EQ(floor_log2(std::nextafter(p, 0.0f)), k - 1) << k;
    }
    if (k < 127) {
      EXPECT_EQ(floor_log2(std::nextafter(2.0f * p, 0.0f)), k) << k;
    }
  }
  EXPECT_EQ(floor_log2(std::numeric_limits<float>::max()), 127);
  EXPECT_EQ(floor_log2(std::ldexp(3.0f, -140)), -139);  // a subnormal, 1.5 * 2^-139
  // Why not std::log2: log2 of the float below 8 is 2.99999991, which rounds to 3.0f.
  EXPECT_EQ(std::floor(std::log2(std::nextafter(8.0f, 0.0f))), 3.0f);
  EXPECT_EQ(floor_log2(std::nextafter(8.0f, 0.0f)), 2);
}

TEST(MxScale, ElementEmaxFromTheLargestFiniteValue) {
  EXPECT_EQ(mx_element_emax(448.0f), kE4m3Emax);
  EXPECT_EQ(mx_element_emax(57344.0f), kE5m2Emax);
}

// ---- hand-made blocks ----------------------------------------------------------------------

TEST(MxScale, ExponentChoiceOnHandMadeBlocks) {
  // E4M3: X = 2^(floor(log2 amax) - 8), code = that exponent + 127.
  EXPECT_EQ(code_of(block_with_max(1.0f), kE4m3Emax), 127 - 8);  // X = 2^-8: 1 -> 256
  EXPECT_EQ(code_of(block_with_max(448.0f), kE4m3Emax), 127);    // X = 1
  EXPECT_EQ(code_of(block_with_max(449.0f), kE4m3Emax), 127);    // floor(log2 449) = 8: X = 1
  EXPECT_EQ(code_of(block_with_max(511.99f), kE4m3Emax), 127);
  EXPECT_EQ(code_of(block_with_max(512.0f), kE4m3Emax), 128);  // X = 2
  EXPECT_EQ(code_of(block_with_max(-300.0f), kE4m3Emax), 127);  // the sign does not matter
  EXPECT_EQ(code_of(block_with_max(0.75f), kE4m3Emax), 127 - 9);
  // E5M2: X = 2^(floor(log2 amax) - 15).
  EXPECT_EQ(code_of(block_with_max(1.0f), kE5m2Emax), 127 - 15);
  EXPECT_EQ(code_of(block_with_max(57344.0f), kE5m2Emax), 127);
  EXPECT_EQ(code_of(block_with_max(65535.0f), kE5m2Emax), 127);
  EXPECT_EQ(code_of(block_with_max(65536.0f), kE5m2Emax), 128);
  // Only the largest magnitude counts, wherever it is in the block.
  for (std::size_t at = 0; at < 32; ++at) {
    EXPECT_EQ(code_of(block_with_max(-6.0f, 32, at), kE4m3Emax), 127 + 2 - 8) << at;
  }
}

TEST(MxScale, TheBlockMaximumSaturatesTo448AboveIt) {
  // amax 449 has X = 1 (its exponent is 448's), so it quantises to 449 / 1 -> 448: the OCP
  // rule rounds the exponent down and accepts the saturation. Every other element keeps its
  // nearest-even E4M3 value times X.
  std::vector<float> b = block_with_max(449.0f);
  b[9] = 0.3f;
  const std::uint8_t code = code_of(b, kE4m3Emax);
  ASSERT_EQ(code, 127);
  const double x = e8m0_to_float(code), inv = e8m0_inverse(code);
  EXPECT_EQ(reference_e4m3(b[5] * inv) * x, 448.0);
  EXPECT_EQ(reference_e4m3(511.0 * inv) * x, 448.0);
  EXPECT_EQ(reference_e4m3(b[9] * inv) * x, 0.3125);  // 0.3 -> 10 * 2^-5 (spacing in [1/4, 1/2))
  // A block of small values keeps its precision: amax 1.0 -> X = 2^-8, 1.0 -> 256 exactly.
  const std::vector<float> small = block_with_max(1.0f);
  const std::uint8_t c = code_of(small, kE4m3Emax);
  EXPECT_EQ(small[5] * e8m0_inverse(c), 256.0f);
  EXPECT_EQ(reference_e4m3(small[5] * e8m0_inverse(c)) * e8m0_to_float(c), 1.0);
}

TEST(MxScale, ABlockOfZerosHasTheSmallestScale) {
  EXPECT_EQ(code_of(std::vector<float>(32, 0.0f), kE4m3Emax), 0);  // X = 2^-127
  EXPECT_EQ(code_of(std::vector<float>(32, -0.0f), kE5m2Emax), 0);
  EXPECT_EQ(mx_scale_code(nullptr, 0, kE4m3Emax), 0);
}

TEST(MxScale, SubnormalAndTinyAmaxesClampAt2ToTheMinus127) {
  // floor(log2 amax) - 8 below -127 is raised to -127 (code 0); the boundary is 2^-119.
  EXPECT_EQ(code_of(block_with_max(std::ldexp(1.0f, -149)), kE4m3Emax), 0);
  EXPECT_EQ(code_of(block_with_max(std::ldexp(3.0f, -131)), kE4m3Emax), 0);  // subnormal
  EXPECT_EQ(code_of(block_with_max(std::ldexp(1.0f, -119)), kE4m3Emax), 0);  // exactly -127
  EXPECT_EQ(code_of(block_with_max(std::ldexp(1.0f, -118)), kE4m3Emax), 1);
  EXPECT_EQ(code_of(block_with_max(std::nextafter(std::ldexp(1.0f, -118), 0.0f)), kE4m3Emax), 0);
  EXPECT_EQ(code_of(block_with_max(std::ldexp(1.0f, -112)), kE5m2Emax), 0);
  EXPECT_EQ(code_of(block_with_max(std::ldexp(1.0f, -111)), kE5m2Emax), 1);
  // The largest finite amax: 127 - 8 = 119, far from E8M0's 127.
  EXPECT_EQ(mx_scale_code_from_amax(std::numeric_limits<float>::max(), kE4m3Emax), 127 + 119);
}

TEST(MxScale, NaNOrInfinityMakesTheBlockNaN) {
  for (float bad : {kNan, kInf, -kInf}) {
    for (std::size_t at : {0, 13, 31}) {
      std::vector<float> b = block_with_max(1e30f);
      b[at] = bad;
      EXPECT_EQ(code_of(b, kE4m3Emax), kE8m0Nan) << bad << " at " << at;
    }
  }
  EXPECT_EQ(mx_scale_code_from_amax(kNan, kE5m2Emax), kE8m0Nan);
}

TEST(MxScale, PartialBlocks) {
  for (std::size_t n = 1; n <= 32; ++n) {
    const std::vector<float> b = block_with_max(20.0f, n, n - 1);  // the max is the last value
    EXPECT_EQ(code_of(b, kE4m3Emax), 127 + 4 - 8) << n;
  }
}

// ---- code matrices -------------------------------------------------------------------------

TEST(MxScale, ShapeOfTheCodeMatrix) {
  EXPECT_EQ(mx_scale_shape(70, 37, MxBlockAxis::kAlongRow).rows, 70u);
  EXPECT_EQ(mx_scale_shape(70, 37, MxBlockAxis::kAlongRow).cols, 2u);  // 32 + a partial 5
  EXPECT_EQ(mx_scale_shape(70, 37, MxBlockAxis::kAlongColumn).rows, 3u);  // 32 + 32 + 6
  EXPECT_EQ(mx_scale_shape(70, 37, MxBlockAxis::kAlongColumn).cols, 37u);
  EXPECT_EQ(mx_scale_shape(64, 64, MxBlockAxis::kAlongRow).size(), 128u);
}

TEST(MxScale, BlocksAlongRowsAndAlongColumnsDiffer) {
  // x (32, 2): column 0 all 1.0, column 1 all 448. Down the columns: one block each, codes
  // 2^-8 and 2^0. Along the rows: 32 blocks of the pair {1, 448}, each 2^0.
  std::vector<float> x(64);
  for (std::size_t r = 0; r < 32; ++r) {
    x[2 * r] = 1.0f;
    x[2 * r + 1] = 448.0f;
  }
  std::vector<std::uint8_t> down(2), along(32);
  mx_scale_codes(x.data(), 32, 2, MxBlockAxis::kAlongColumn, kE4m3Emax, down.data());
  mx_scale_codes(x.data(), 32, 2, MxBlockAxis::kAlongRow, kE4m3Emax, along.data());
  EXPECT_EQ(down, (std::vector<std::uint8_t>{119, 127}));
  EXPECT_EQ(along, std::vector<std::uint8_t>(32, 127));
}

// The matrix codes against reference_code applied to each block gathered by hand.
std::vector<std::uint8_t> reference_codes(const std::vector<float>& x, std::size_t rows,
                                          std::size_t cols, MxBlockAxis axis, int emax) {
  std::vector<std::uint8_t> out;
  if (axis == MxBlockAxis::kAlongRow) {
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c0 = 0; c0 < cols; c0 += 32) {
        std::vector<float> b(x.begin() + r * cols + c0,
                             x.begin() + r * cols + std::min(cols, c0 + 32));
        out.push_back(reference_code(b, emax));
      }
    }
  } else {
    for (std::size_t r0 = 0; r0 < rows; r0 += 32) {
      for (std::size_t c = 0; c < cols; ++c) {
        std::vector<float> b;
        for (std::size_t r = r0; r < std::min(rows, r0 + 32); ++r) b.push_back(x[r * cols + c]);
        out.push_back(reference_code(b, emax));
      }
    }
  }
  return out;
}

TEST(MxScale, CodeMatricesEqualTheScalarReference) {
  // Magnitudes over 2^-140..2^40 (subnormals and clamped blocks included), some zeros, and
  // in some matrices a few NaN and inf; shapes with and without partial blocks, and widths
  // on both sides of the 16- and 8-column vector loops.
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-140, 40), pick(0, 99);
  const std::size_t shapes[][2] = {{1, 1},   {3, 32},  {5, 33},  {33, 5},  {64, 64}, {37, 70},
                                   {70, 37}, {31, 17}, {2, 100}, {100, 2}, {32, 16}, {65, 9}};
  for (bool specials : {false, true}) {
    for (const auto& shape : shapes) {
      const std::size_t rows = shape[0], cols = shape[1];
      std::vector<float> x(rows * cols);
      for (float& v : x) {
        const int p = pick(gen);
        v = p < 5 ? 0.0f : std::ldexp(mantissa(gen), exponent(gen));
        if (specials && p == 99) v = (pick(gen) % 2) ? kNan : -kInf;
      }
      for (MxBlockAxis axis : {MxBlockAxis::kAlongRow, MxBlockAxis::kAlongColumn}) {
        for (int emax : {kE4m3Emax, kE5m2Emax}) {
          std::vector<std::uint8_t> got(mx_scale_shape(rows, cols, axis).size(), 0xAB);
          mx_scale_codes(x.data(), rows, cols, axis, emax, got.data());
          EXPECT_EQ(got, reference_codes(x, rows, cols, axis, emax))
              << rows << "x" << cols << (axis == MxBlockAxis::kAlongRow ? " rows" : " cols")
              << " emax " << emax << (specials ? " with NaN/inf" : "");
        }
      }
    }
  }
}

TEST(MxScale, ColumnBlocksOfAMatrixAreRowBlocksOfItsTranspose) {
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> value(-1000.0f, 1000.0f);
  const std::size_t rows = 45, cols = 29;
  std::vector<float> x(rows * cols), xt(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) xt[c * rows + r] = x[r * cols + c] = value(gen);
  }
  std::vector<std::uint8_t> down(mx_scale_shape(rows, cols, MxBlockAxis::kAlongColumn).size());
  std::vector<std::uint8_t> along_t(mx_scale_shape(cols, rows, MxBlockAxis::kAlongRow).size());
  mx_scale_codes(x.data(), rows, cols, MxBlockAxis::kAlongColumn, kE4m3Emax, down.data());
  mx_scale_codes(xt.data(), cols, rows, MxBlockAxis::kAlongRow, kE4m3Emax, along_t.data());
  // down is (2, 29); along_t is (29, 2): one is the transpose of the other.
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t c = 0; c < cols; ++c) EXPECT_EQ(down[b * cols + c], along_t[c * 2 + b]);
  }
}

}  // namespace
}  // namespace mixprec
