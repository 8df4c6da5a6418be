// Pins Eigen 3.4's fp16 / bf16 conversions to the NUMERICS.md contract: round-to-nearest-
// even, overflow to +-inf, underflow to signed zero, NaN stays (quiet) NaN.
//   1. every 16-bit pattern widens exactly (checked against an integer decoder) and
//      narrows back to the same bits;
//   2. fp32 -> 16-bit agrees bit for bit with a reference rounding written here with
//      integer arithmetic only, on every value, midpoint and midpoint +-1 fp32 ulp of both
//      formats and on millions of random fp32 bit patterns;
//   3. tables of the edge cases, as bit patterns (after highway's float_test.cc).
// All comparisons are exact: rounding is a function, there is no tolerance to choose.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "precision/format.hpp"

namespace mixprec {
namespace {

// ---- bit access ---------------------------------------------------------------------------

std::uint32_t bits_of(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
float float_of(std::uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}
template <class T>
std::uint16_t bits16(T x) {
  return Eigen::numext::bit_cast<std::uint16_t>(x);
}
template <class T>
T from_bits16(std::uint16_t u) {
  return Eigen::numext::bit_cast<T>(u);
}

// ---- independent references (integers only) ----------------------------------------------

// fp32 -> bf16, round to nearest even: keep the high 16 bits, round on the low 16. A carry
// out of the mantissa increments the exponent, which is also how the largest finite values
// round to inf. Not for NaN (callers check NaN separately).
std::uint16_t reference_bf16(std::uint32_t u) {
  std::uint32_t kept = u >> 16;
  const std::uint32_t rest = u & 0xFFFFu;
  if (rest > 0x8000u || (rest == 0x8000u && (kept & 1u) != 0)) ++kept;
  return static_cast<std::uint16_t>(kept);
}

// fp32 -> fp16, round to nearest even. Writes |x| = sig * 2^(e - 23) with an integer
// significand, divides by the fp16 spacing at that magnitude, 2^(max(e, -14) - 10), with an
// integer round-half-even, and re-encodes. Not for NaN.
std::uint16_t reference_f16(std::uint32_t u) {
  const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const int exp_field = static_cast<int>((u >> 23) & 0xFFu);
  const std::uint32_t frac = u & 0x7FFFFFu;
  if (exp_field == 0xFF) return sign | 0x7C00u;  // inf
  const std::uint64_t sig = exp_field == 0 ? frac : (frac | 0x800000u);
  const int e = exp_field == 0 ? -126 : exp_field - 127;
  const int spacing_exp = std::max(e, -14) - 10;
  const int shift = spacing_exp - (e - 23);  // >= 13
  std::uint64_t r = 0;                        // |x| / spacing, rounded
  if (shift < 40) {                           // else sig < 2^24 is far below half a spacing
    r = sig >> shift;
    const std::uint64_t rem = sig & ((std::uint64_t{1} << shift) - 1);
    const std::uint64_t half = std::uint64_t{1} << (shift - 1);
    if (rem > half || (rem == half && (r & 1u) != 0)) ++r;
  }
  if (e < -14) return static_cast<std::uint16_t>(sign | r);  // subnormal; r = 1024 is 2^-14
  int exp16 = e;
  if (r == 2048) {  // rounded up to the next power of two
    r = 1024;
    ++exp16;
  }
  if (exp16 > 15) return sign | 0x7C00u;  // overflow to inf
  return static_cast<std::uint16_t>(sign | ((exp16 + 15) << 10) | (r - 1024));
}

// Exact values of the 16-bit patterns, decoded with integers and ldexp.
double reference_f16_value(std::uint16_t h) {
  const int exp_field = (h >> 10) & 0x1F;
  const int man = h & 0x3FF;
  double mag;
  if (exp_field == 0x1F) mag = man == 0 ? INFINITY : NAN;
  else if (exp_field == 0) mag = std::ldexp(man, -24);
  else mag = std::ldexp(1024 + man, exp_field - 25);
  return (h & 0x8000u) != 0 ? -mag : mag;
}
double reference_bf16_value(std::uint16_t b) {
  const int exp_field = (b >> 7) & 0xFF;
  const int man = b & 0x7F;
  double mag;
  if (exp_field == 0xFF) mag = man == 0 ? INFINITY : NAN;
  else if (exp_field == 0) mag = std::ldexp(man, -133);
  else mag = std::ldexp(128 + man, exp_field - 134);
  return (b & 0x8000u) != 0 ? -mag : mag;
}

// ---- per-format description ----------------------------------------------------------------

template <class T> struct Traits;
template <> struct Traits<f16> {
  static std::uint16_t reference(std::uint32_t u) { return reference_f16(u); }
  static double value(std::uint16_t h) { return reference_f16_value(h); }
  static constexpr std::uint16_t kExpMask = 0x7C00, kQuietBit = 0x0200, kMaxFinite = 0x7BFF;
  static constexpr int kOverflowExp = 16;  // the power of two after the largest finite value
};
template <> struct Traits<bf16> {
  static std::uint16_t reference(std::uint32_t u) { return reference_bf16(u); }
  static double value(std::uint16_t b) { return reference_bf16_value(b); }
  static constexpr std::uint16_t kExpMask = 0x7F80, kQuietBit = 0x0040, kMaxFinite = 0x7F7F;
  static constexpr int kOverflowExp = 128;
};

template <class T>
bool is_nan16(std::uint16_t b) {
  return (b & Traits<T>::kExpMask) == Traits<T>::kExpMask && (b & ~(Traits<T>::kExpMask | 0x8000u)) != 0;
}

// Checks Eigen's narrowing of the fp32 value with bits u: NaN gives a quiet NaN of the same
// sign, everything else the reference bits. Returns false (and reports) on a mismatch.
template <class T>
bool check_narrowing(std::uint32_t u) {
  const float x = float_of(u);
  const std::uint16_t got = bits16(from_float<T>(x));
  if (std::isnan(x)) {
    const bool ok = is_nan16<T>(got) && (got & Traits<T>::kQuietBit) != 0 &&
                    ((got & 0x8000u) != 0) == std::signbit(x);
    EXPECT_TRUE(ok) << std::hex << "fp32 NaN 0x" << u << " -> 0x" << got;
    return ok;
  }
  const std::uint16_t want = Traits<T>::reference(u);
  EXPECT_EQ(got, want) << std::hex << "fp32 0x" << u << " (" << x << ")";
  return got == want;
}

template <class T>
class Rounding : public ::testing::Test {};
using Formats = ::testing::Types<f16, bf16>;
TYPED_TEST_SUITE(Rounding, Formats);

// ---- 1. every 16-bit pattern ---------------------------------------------------------------

TYPED_TEST(Rounding, EveryPatternWidensExactlyAndNarrowsBackToItself) {
  using T = TypeParam;
  int failures = 0;
  for (std::uint32_t p = 0; p <= 0xFFFF && failures < 10; ++p) {
    const auto b = static_cast<std::uint16_t>(p);
    const float wide = to_float(from_bits16<T>(b));
    const double want = Traits<T>::value(b);
    const std::uint16_t back = bits16(from_float<T>(wide));
    if (is_nan16<T>(b)) {
      // NaN stays NaN, quiet, sign kept (the payload need not survive).
      const bool ok = std::isnan(wide) && is_nan16<T>(back) &&
                      (back & Traits<T>::kQuietBit) != 0 && (back & 0x8000u) == (b & 0x8000u);
      EXPECT_TRUE(ok) << std::hex << "NaN pattern 0x" << b << " -> 0x" << back;
      failures += !ok;
      continue;
    }
    // Exact widening (also distinguishes -0 from +0 through the round trip below).
    const bool ok = static_cast<double>(wide) == want && back == b;
    EXPECT_EQ(static_cast<double>(wide), want) << std::hex << "pattern 0x" << b;
    EXPECT_EQ(back, b) << std::hex << "pattern 0x" << b;
    failures += !ok;
  }
  EXPECT_EQ(failures, 0);
}

// ---- 2. against the reference -------------------------------------------------------------

// For every finite 16-bit value v (both signs) with next value n above it in magnitude:
// v itself, v's fp32 neighbours, the exact midpoint (v + n) / 2 and the fp32 values just
// below and above it. Midpoints are exact in fp32 (16-bit significands are <= 11 bits).
template <class T>
std::vector<std::uint32_t> neighbourhood_inputs() {
  std::vector<std::uint32_t> in;
  for (std::uint32_t p = 0; p <= Traits<T>::kMaxFinite; ++p) {
    const auto b = static_cast<std::uint16_t>(p);
    const double v = Traits<T>::value(b);
    // Above the largest finite value the "next" value is the next power of two, 2^16 for
    // fp16 and 2^128 for bf16: their midpoint is the overflow threshold (a tie to even).
    const double n = b == Traits<T>::kMaxFinite
                         ? std::ldexp(1.0, Traits<T>::kOverflowExp)
                         : Traits<T>::value(static_cast<std::uint16_t>(b + 1));
    const std::uint32_t vu = bits_of(static_cast<float>(v));
    const std::uint32_t mid = bits_of(static_cast<float>((v + n) / 2));
    for (std::uint32_t u : {vu, vu + 1, mid - 1, mid, mid + 1}) {
      in.push_back(u);
      in.push_back(u | 0x80000000u);  // the negative twin
    }
    if (vu != 0) {
      in.push_back(vu - 1);
      in.push_back((vu - 1) | 0x80000000u);
    }
  }
  return in;
}

TYPED_TEST(Rounding, MatchesReferenceAtEveryValueAndMidpoint) {
  using T = TypeParam;
  int failures = 0;
  for (std::uint32_t u : neighbourhood_inputs<T>()) {
    failures += !check_narrowing<T>(u);
    if (failures >= 10) break;
  }
  EXPECT_EQ(failures, 0);
}

TYPED_TEST(Rounding, MatchesReferenceOnTheOtherFormatsNeighbourhoods) {
  // fp16's midpoints are ordinary inputs for bf16 and vice versa: more ties and near-ties.
  using T = TypeParam;
  using Other = std::conditional_t<std::is_same_v<T, f16>, bf16, f16>;
  int failures = 0;
  for (std::uint32_t u : neighbourhood_inputs<Other>()) {
    failures += !check_narrowing<T>(u);
    if (failures >= 10) break;
  }
  EXPECT_EQ(failures, 0);
}

TYPED_TEST(Rounding, MatchesReferenceOnRandomBitPatterns) {
  // 4 Mi uniformly random fp32 bit patterns (every exponent equally likely, NaNs included),
  // fixed seed so a failure reproduces.
  using T = TypeParam;
  std::mt19937 rng(20240611u);
  int failures = 0;
  for (int i = 0; i < (1 << 22) && failures < 10; ++i) failures += !check_narrowing<T>(rng());
  EXPECT_EQ(failures, 0);
}

TYPED_TEST(Rounding, ArrayCastsAgreeWithScalarConversions) {
  // The kernels convert whole tensors with Eigen array casts; those must round exactly like
  // the scalar conversion (a vectorised path could, e.g., flush subnormals).
  using T = TypeParam;
  const std::vector<std::uint32_t> in = neighbourhood_inputs<T>();
  Eigen::ArrayXf x(static_cast<Eigen::Index>(in.size()));
  for (std::size_t i = 0; i < in.size(); ++i) x[static_cast<Eigen::Index>(i)] = float_of(in[i]);
  const Eigen::Array<T, Eigen::Dynamic, 1> narrowed = x.template cast<T>();
  const Eigen::ArrayXf widened = narrowed.template cast<float>();
  int failures = 0;
  for (Eigen::Index i = 0; i < x.size() && failures < 10; ++i) {
    const std::uint16_t scalar = bits16(from_float<T>(x[i]));
    const bool ok = bits16(narrowed[i]) == scalar &&
                    bits_of(widened[i]) == bits_of(to_float(narrowed[i]));
    EXPECT_TRUE(ok) << std::hex << "fp32 0x" << bits_of(x[i]) << " array 0x"
                    << bits16(narrowed[i]) << " scalar 0x" << scalar;
    failures += !ok;
  }
  EXPECT_EQ(failures, 0);
}

// ---- 3. tables -----------------------------------------------------------------------------

struct Case {
  std::uint32_t in;   // fp32 bits
  std::uint16_t out;  // expected 16-bit bits
  const char* why;
};

// x through the format table's row: its from_float entry point, the stored code, and back
// through its to_float (the vectorised loops, one value at a time).
std::uint16_t row_code(Format format, float x) {
  std::uint16_t code = 0;
  traits(format).from_float(traits(format), &x, &code, 1, kNearestEven, nullptr);
  return code;
}
float row_round_trip(Format format, float x) {
  float back = 0.0f;
  const std::uint32_t code = row_code(format, x);
  traits(format).to_float(traits(format), &code, &back, 1);
  return back;
}

void expect_table(const std::vector<Case>& cases, Format format) {
  for (const Case& c : cases) {
    const float x = float_of(c.in);
    const std::uint16_t got = format == Format::kF16 ? bits16(from_float<f16>(x))
                                                     : bits16(from_float<bf16>(x));
    EXPECT_EQ(got, c.out) << std::hex << "0x" << c.in << ": " << c.why;
    // The table row's entry points give the same code, and widen it back exactly.
    EXPECT_EQ(row_code(format, x), c.out) << std::hex << "0x" << c.in << ": " << c.why;
    const float widened = format == Format::kF16 ? to_float(from_bits16<f16>(c.out))
                                                 : to_float(from_bits16<bf16>(c.out));
    EXPECT_EQ(bits_of(row_round_trip(format, x)), bits_of(widened)) << c.why;
  }
}

TEST(RoundingTable, Fp16EdgeCases) {
  expect_table(
      {
          {0x00000000, 0x0000, "+0"},
          {0x80000000, 0x8000, "-0 keeps its sign"},
          {0x3F800000, 0x3C00, "1"},
          {0x477FE000, 0x7BFF, "65504, the largest finite fp16, stays"},
          {0x477FEFFF, 0x7BFF, "65519.996 (just below the overflow threshold) -> 65504"},
          {0x477FF000, 0x7C00, "65520: tie between 65504 (odd) and 2^16 -> inf (ties to even)"},
          {0xC77FF000, 0xFC00, "-65520 -> -inf"},
          {0x47800000, 0x7C00, "65536 -> inf"},
          {0x7F7FFFFF, 0x7C00, "FLT_MAX -> inf"},
          {0x7F800000, 0x7C00, "inf stays inf"},
          {0xFF800000, 0xFC00, "-inf stays -inf"},
          {0x38800000, 0x0400, "2^-14, the smallest normal"},
          {0x387FC000, 0x03FF, "1023 * 2^-24, the largest subnormal"},
          {0x387FE000, 0x0400, "1023.5 * 2^-24: tie, rounds up to the smallest normal (even)"},
          {0x33800000, 0x0001, "2^-24, the smallest subnormal"},
          {0x33000000, 0x0000, "2^-25: tie between 0 and 2^-24 -> 0 (even)"},
          {0xB3000000, 0x8000, "-2^-25 -> -0 (underflow keeps the sign)"},
          {0x33000001, 0x0001, "2^-25 * 1.0000001 -> 2^-24 (just above the tie)"},
          {0x32FFFFFF, 0x0000, "just below 2^-25 -> 0"},
          {0x33C00000, 0x0002, "3 * 2^-25 = 1.5 * 2^-24: tie -> 2 * 2^-24 (even)"},
          {0x34200000, 0x0002, "5 * 2^-25 = 2.5 * 2^-24: tie -> 2 * 2^-24 (even)"},
          {0x32800000, 0x0000, "2^-26 -> 0"},
          {0x322BCC77, 0x0000, "1e-8 -> 0"},
          {0x00000001, 0x0000, "smallest fp32 subnormal -> 0"},
          {0x80000001, 0x8000, "smallest negative fp32 subnormal -> -0"},
          {0x3F801000, 0x3C00, "1 + 2^-11: tie between 1 and 1 + 2^-10 -> 1 (even)"},
          {0x3F803000, 0x3C02, "1 + 3 * 2^-11: tie -> 1 + 2^-9 (even)"},
          {0x3F801001, 0x3C01, "1 + 2^-11 + 2^-23: above the tie -> 1 + 2^-10"},
          {0x45001000, 0x6800, "2049: tie between 2048 and 2050 -> 2048 (even)"},
          {0x45003000, 0x6802, "2051: tie between 2050 and 2052 -> 2052 (even)"},
          {0x3DCCCCCD, 0x2E66, "0.1 -> 0.0999755859375"},
      },
      Format::kF16);
}

TEST(RoundingTable, Bf16EdgeCases) {
  expect_table(
      {
          {0x00000000, 0x0000, "+0"},
          {0x80000000, 0x8000, "-0 keeps its sign"},
          {0x3F800000, 0x3F80, "1"},
          {0x3F808000, 0x3F80, "1 + 2^-8: tie between 1 and 1 + 2^-7 -> 1 (even)"},
          {0x3F818000, 0x3F82, "1 + 3 * 2^-8: tie -> 1 + 2^-6 (even)"},
          {0x3F808001, 0x3F81, "1 + 2^-8 + 2^-23: above the tie -> 1 + 2^-7"},
          {0x3F807FFF, 0x3F80, "just below the tie -> 1"},
          {0x3EAAAAAB, 0x3EAB, "1/3 -> 0.333984375"},
          {0x43808000, 0x4380, "257: tie between 256 and 258 -> 256 (even)"},
          {0x477FF000, 0x4780, "65520 -> 65536 (no overflow in bf16)"},
          {0x7F7F0000, 0x7F7F, "the largest finite bf16 stays"},
          {0x7F7F7FFF, 0x7F7F, "just below the overflow threshold -> largest finite"},
          {0x7F7F8000, 0x7F80, "tie between the largest finite (odd) and 2^128 -> inf"},
          {0x7F7FFFFF, 0x7F80, "FLT_MAX -> inf"},
          {0xFF7FFFFF, 0xFF80, "-FLT_MAX -> -inf"},
          {0x7F800000, 0x7F80, "inf stays inf"},
          {0x00800000, 0x0080, "2^-126, the smallest normal"},
          {0x007FFFFF, 0x0080, "the largest fp32 subnormal rounds up to the smallest normal"},
          {0x00010000, 0x0001, "2^-133, the smallest bf16 subnormal (not flushed)"},
          {0x00008000, 0x0000, "2^-134: tie between 0 and 2^-133 -> 0 (even)"},
          {0x80008000, 0x8000, "-2^-134 -> -0"},
          {0x00018000, 0x0002, "1.5 * 2^-133: tie -> 2 * 2^-133 (even)"},
          {0x00008001, 0x0001, "just above the smallest tie -> 2^-133"},
          {0x3DCCCCCD, 0x3DCD, "0.1 -> 0.10009765625"},
      },
      Format::kBf16);
}

TEST(RoundingTable, NanStaysQuietNan) {
  // Including signalling NaNs whose payload sits only in the bits that narrowing drops:
  // truncation would turn 0x7F800001 into inf; it must stay NaN.
  for (std::uint32_t u : {0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFF800001u, 0x7FBFFFFFu,
                          0x7F802000u, 0x7FFFFFFFu}) {
    EXPECT_TRUE(check_narrowing<f16>(u));
    EXPECT_TRUE(check_narrowing<bf16>(u));
  }
}

TEST(RoundingTable, ReferenceAgreesWithTheTables) {
  // The references themselves, on cases worked by hand above (so a bug in a reference
  // cannot hide behind an identical bug in Eigen).
  EXPECT_EQ(reference_f16(0x477FF000), 0x7C00);
  EXPECT_EQ(reference_f16(0x477FEFFF), 0x7BFF);
  EXPECT_EQ(reference_f16(0x33000000), 0x0000);
  EXPECT_EQ(reference_f16(0x33000001), 0x0001);
  EXPECT_EQ(reference_f16(0x387FE000), 0x0400);
  EXPECT_EQ(reference_f16(0xB3000000), 0x8000);
  EXPECT_EQ(reference_f16(0x3F803000), 0x3C02);
  EXPECT_EQ(reference_bf16(0x3F818000), 0x3F82);
  EXPECT_EQ(reference_bf16(0x7F7F8000), 0x7F80);
  EXPECT_EQ(reference_bf16(0x00008000), 0x0000);
  EXPECT_EQ(reference_f16_value(0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(reference_f16_value(0x7BFF), 65504.0);
  EXPECT_EQ(reference_bf16_value(0x0001), std::ldexp(1.0, -133));
  EXPECT_EQ(reference_bf16_value(0x7F7F), std::ldexp(255.0, 120));
}

TEST(Format, BytesAndNames) {
  EXPECT_EQ(bytes_per_value(Format::kF32), 4u);
  EXPECT_EQ(bytes_per_value(Format::kF16), 2u);
  EXPECT_EQ(bytes_per_value(Format::kBf16), 2u);
  EXPECT_EQ(sizeof(f16), 2u);
  EXPECT_EQ(sizeof(bf16), 2u);
  EXPECT_EQ(to_string(Format::kF32), "fp32");
  EXPECT_EQ(to_string(Format::kF16), "fp16");
  EXPECT_EQ(to_string(Format::kBf16), "bf16");
  EXPECT_EQ(FormatOf<f16>::value, Format::kF16);
  EXPECT_EQ(FormatOf<bf16>::value, Format::kBf16);
  EXPECT_EQ(FormatOf<float>::value, Format::kF32);
  float copy = 0.0f;
  const float tenth = 0.1f;
  traits(Format::kF32).from_float(traits(Format::kF32), &tenth, &copy, 1, kNearestEven, nullptr);
  EXPECT_EQ(bits_of(copy), 0x3DCCCCCDu);
}

}  // namespace
}  // namespace mixprec
