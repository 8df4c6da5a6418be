// The vector FP8 cast (precision/fp8_convert.hpp) against the scalar path that knows only the
// row's widths (generic_format.cpp), on random and edge inputs, for lengths that exercise
// every tail, with scales other than 1: the same codes, and the statistics and amax of the
// same pass equal to their definitions (RoundStats; NUMERICS.md "8-bit formats").
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <random>
#include <vector>

#include "precision/convert.hpp"
#include "precision/fp8_convert.hpp"
#include "precision/generic_format.hpp"

namespace mixprec {
namespace {

// The first n bytes of a and b are equal. memcmp on an empty vector's data() (null) is
// undefined behaviour even for n = 0, which UBSan reports.
bool same_bytes(const void* a, const void* b, std::size_t n) { return n == 0 || std::memcmp(a, b, n) == 0; }


constexpr float kInf = std::numeric_limits<float>::infinity();
const Format kFp8[] = {Format::kE4m3, Format::kE5m2};

// Random fp32 bit patterns (every exponent, NaN and subnormals included), values spread over
// the FP8 ranges and the binades just outside them, values with 6 significant bits (ties and
// near-ties of both formats, often), and edge values, shuffled.
std::vector<float> inputs(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v;
  v.reserve(n);
  std::uniform_int_distribution<int> exponent(-30, 20);
  std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
  const float edges[] = {0.0f, -0.0f, kInf, -kInf, std::numeric_limits<float>::quiet_NaN(), 448.0f, 464.0f,
                         57344.0f, 61440.0f, 0x1p-10f, 0x1p-17f, 1e-45f, 3.4e38f};
  while (v.size() < n) {
    switch (rng() % 5) {
      case 0: {
        const std::uint32_t bits = rng();
        float f;
        std::memcpy(&f, &bits, 4);
        v.push_back(f);
        break;
      }
      case 3: v.push_back(edges[rng() % std::size(edges)] * (rng() % 2 ? 1.0f : -1.0f)); break;
      case 4: v.push_back(std::ldexp(float(32 + rng() % 32), exponent(rng) - 5) * (rng() % 2 ? 1.0f : -1.0f)); break;
      default: v.push_back(std::ldexp(mantissa(rng), exponent(rng)) * (rng() % 2 ? 1.0f : -1.0f));
    }
  }
  return v;
}

// The statistics and amax of one cast, from their definitions (fp8_convert.hpp), given the
// inputs x, the scaled values y and the codes.
struct Expected {
  RoundStats stats;
  float amax = 0.0f;
};
Expected expected(const FormatTraits& row, const float* x, const float* y, const std::uint8_t* codes, std::size_t n) {
  Expected e;
  for (std::size_t i = 0; i < n; ++i) {
    const bool saturated = !std::isnan(y[i]) && std::fabs(y[i]) > row.largest_finite;
    e.stats.values += 1;
    e.stats.nonzero += x[i] != 0.0f;
    e.stats.underflow += x[i] != 0.0f && (codes[i] & 0x7f) == 0;
    e.stats.overflow += saturated && std::isfinite(x[i]);
    e.stats.nonfinite += std::isnan(y[i]);
    e.stats.saturated += saturated;
    if (std::isfinite(x[i])) e.amax = std::max(e.amax, std::fabs(x[i]));
  }
  return e;
}

void expect_same_stats(const RoundStats& got, const RoundStats& want, const std::string& what) {
  EXPECT_EQ(got.values, want.values) << what;
  EXPECT_EQ(got.nonzero, want.nonzero) << what;
  EXPECT_EQ(got.underflow, want.underflow) << what;
  EXPECT_EQ(got.overflow, want.overflow) << what;
  EXPECT_EQ(got.nonfinite, want.nonfinite) << what;
  EXPECT_EQ(got.saturated, want.saturated) << what;
}

TEST(Fp8Convert, VectorCastIsTheScalarPathWithItsStatisticsAndAmax) {
  const std::vector<float> x = inputs(300000, 17);
  // 1: unscaled; 0.37: not a power of two (the fp32 product rounds); 2^10 and 1e30: products
  // beyond the formats' ranges, 1e30 beyond fp32's too (inf from finite inputs: saturated).
  const float scales[] = {1.0f, 0.37f, 1024.0f, 1e30f, 3.0e-5f};
  const std::size_t lengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1027, x.size()};
  for (Format f : kFp8) {
    const FormatTraits& row = traits(f);
    for (float s : scales) {
      std::vector<float> y(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] * s;  // the fp32 product NUMERICS.md casts
      for (std::size_t n : lengths) {
        // Start at an odd offset too: unaligned loads and stores.
        for (std::size_t begin : {std::size_t(0), std::size_t(3)}) {
          if (begin + n > x.size()) continue;
          const std::string what = to_string(f) + " scale " + std::to_string(s) + " n " + std::to_string(n) +
                                   " at " + std::to_string(begin);
          std::vector<std::uint8_t> got(n + 1, 0xa5), want(n);
          RoundStats stats;
          float amax = 0.0f;
          round_to_fp8(row, x.data() + begin, got.data(), n, s, &stats, &amax);
          from_float_by_widths(row, y.data() + begin, want.data(), n, kNearestEven, nullptr);
          EXPECT_TRUE(same_bytes(got.data(), want.data(), n)) << what;
          EXPECT_EQ(got[n], 0xa5) << what << ": wrote past the end";
          const Expected e = expected(row, x.data() + begin, y.data() + begin, want.data(), n);
          expect_same_stats(stats, e.stats, what);
          EXPECT_EQ(amax, e.amax) << what;
          // Without statistics: the same codes.
          std::vector<std::uint8_t> bare(n);
          round_to_fp8(row, x.data() + begin, bare.data(), n, s, nullptr, nullptr);
          EXPECT_TRUE(same_bytes(bare.data(), want.data(), n)) << what;
        }
      }
    }
    // Unscaled, the row's entry point counts what the scalar path counts.
    std::vector<std::uint8_t> a(x.size()), b(x.size());
    RoundStats sa, sb;
    round_from_float(x.data(), row, a.data(), x.size(), kNearestEven, &sa);  // threaded blocks
    from_float_by_widths(row, x.data(), b.data(), x.size(), kNearestEven, &sb);
    EXPECT_EQ(a, b) << to_string(f);
    expect_same_stats(sa, sb, to_string(f) + " row entry point");
    EXPECT_GT(sa.saturated, sa.overflow) << "the inputs hold infinities";
    EXPECT_GT(sa.underflow, 0u);
  }
}

TEST(Fp8Convert, AmaxAccumulatesAndIgnoresNonFiniteInputs) {
  const float x[] = {1.0f, -7.5f, kInf, std::numeric_limits<float>::quiet_NaN(), 3.0f};
  std::uint8_t codes[5];
  float amax = 2.0f;  // from an earlier call: kept where larger
  round_to_fp8(traits(Format::kE4m3), x, codes, 2, 1.0f, nullptr, &amax);
  EXPECT_EQ(amax, 7.5f);
  amax = 10.0f;
  RoundStats s;
  round_to_fp8(traits(Format::kE4m3), x + 2, codes, 3, 1.0f, &s, &amax);
  EXPECT_EQ(amax, 10.0f);
  EXPECT_EQ(s.saturated, 1u);  // inf
  EXPECT_EQ(s.overflow, 0u);   // not a finite input
  EXPECT_EQ(s.nonfinite, 1u);  // the NaN
  EXPECT_EQ(codes[0], 0x7e);
  EXPECT_EQ(codes[1] & 0x7f, 0x7f);
}

TEST(Fp8Convert, WideningToFp32AndBf16AgreeForEveryLength) {
  std::mt19937 rng(3);
  std::vector<std::uint8_t> codes(5000);
  for (auto& c : codes) c = std::uint8_t(rng());
  for (Format f : kFp8) {
    const FormatTraits& row = traits(f);
    for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(15), std::size_t(17), std::size_t(4999)}) {
      std::vector<float> wide(n + 1, 42.0f), want(n);
      std::vector<bf16> carrier(n + 1, bf16(42.0f));
      convert_to_float(row, codes.data() + 1, wide.data(), n);
      fp8_to_bf16(row, codes.data() + 1, carrier.data(), n);
      to_float_by_widths(row, codes.data() + 1, want.data(), n);
      EXPECT_TRUE(same_bytes(wide.data(), want.data(), n * 4)) << to_string(f) << " n " << n;
      for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, &want[i], 4);
        std::uint16_t high;
        std::memcpy(&high, &carrier[i], 2);
        ASSERT_EQ(high, bits >> 16) << to_string(f) << " code " << int(codes[i + 1]);
        ASSERT_EQ(bits & 0xffffu, 0u) << "an FP8 value not exact in bf16";
      }
      EXPECT_EQ(wide[n], 42.0f) << "wrote past the end";
      EXPECT_EQ(float(carrier[n]), 42.0f) << "wrote past the end";
    }
  }
}

TEST(Fp8Convert, StochasticRoundingIsTheScalarPaths) {
  // The rows' stochastic entry point (snap in vector loops, then the vector cast) against
  // the scalar path's, keyed alike: the same codes and counts.
  const std::vector<float> x = inputs(20000, 5);
  Rounding r;
  r.mode = RoundingMode::kStochastic;
  r.seed = 9;
  r.step = 4;
  r.tensor = 2;
  r.element = 123;
  for (Format f : kFp8) {
    const FormatTraits& row = traits(f);
    std::vector<std::uint8_t> a(x.size()), b(x.size());
    RoundStats sa, sb;
    row.from_float(row, x.data(), a.data(), x.size(), r, &sa);
    from_float_by_widths(row, x.data(), b.data(), x.size(), r, &sb);
    EXPECT_EQ(a, b) << to_string(f);
    expect_same_stats(sa, sb, to_string(f) + " stochastic");
  }
}

}  // namespace
}  // namespace mixprec
