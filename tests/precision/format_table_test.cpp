// The format table is data: each row's limits match NUMERICS.md and its widths, each row's
// vector loops round exactly as a scalar reference that knows only the widths
// (format_reference.hpp), and a row that no code knows (a 12-bit format defined here)
// converts, counts its statistics and accounts its memory through the same entry points.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "common/error.hpp"
#include "precision/convert.hpp"
#include "precision/generic_format.hpp"
#include "precision/format_reference.hpp"

namespace mixprec {
namespace {

// fp32 inputs that probe a row: every value of the row, the midpoints (ties) between
// neighbours and one fp32 ulp either side of them, the overflow boundary, subnormals,
// zeros, inf, NaN, and random values over the whole fp32 range.
std::vector<float> probes(const test::FormatReference& ref, const FormatTraits& row) {
  std::vector<float> v = {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(), 1e-45f, -1e-45f, 3.0e38f};
  std::vector<double> values;
  for (int exp = -(row.bias + row.mantissa_bits + 2); exp <= (1 << row.exponent_bits) - row.bias; ++exp)
    for (int man = 0; man < (1 << std::min(row.mantissa_bits, 10)); ++man)
      values.push_back(std::ldexp(1.0 + man / double(1 << std::min(row.mantissa_bits, 10)), exp));
  for (double x : values) {
    const double r = ref.round(float(x));
    for (double y : {x, r}) {
      if (!std::isfinite(y) || std::fabs(y) > 3.4e38) continue;
      const float f = float(y);
      for (float g : {f, std::nextafter(f, 0.0f), std::nextafter(f, 4e38f)}) {
        v.push_back(g);
        v.push_back(-g);
      }
    }
  }
  // Ties: halfway between neighbouring values of the row, and an fp32 ulp either side.
  const double max = ref.largest(), max_ulp = std::ldexp(1.0, (1 << row.exponent_bits) - 2 - row.bias - row.mantissa_bits);
  for (double t : {max + max_ulp / 2, ref.smallest_subnormal() / 2, 1.0 + std::ldexp(1.0, -row.mantissa_bits - 1)}) {
    if (t > 3.4e38) continue;
    const float f = float(t);
    for (float g : {f, std::nextafter(f, 0.0f), std::nextafter(f, 4e38f)}) {
      v.push_back(g);
      v.push_back(-g);
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) {
    std::uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, 4);
    v.push_back(f);
  }
  return v;
}

void expect_rounds_as_reference(const FormatTraits& row) {
  const test::FormatReference ref(row);
  const std::vector<float> in = probes(ref, row);
  std::vector<std::byte> stored(row.bytes_for(in.size()));
  std::vector<float> back(in.size());
  RoundStats stats;
  round_from_float(in.data(), row, stored.data(), in.size(), kNearestEven, &stats);
  convert_to_float(row, stored.data(), back.data(), in.size());
  RoundStats expected;
  int mismatches = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const double want = ref.round(in[i]);
    if (!test::same_value(want, back[i]) && ++mismatches <= 5)
      ADD_FAILURE() << row.name << ": " << in[i] << " rounded to " << back[i] << ", expected " << want;
    const bool nonzero = in[i] != 0.0f;
    expected.nonzero += nonzero;
    expected.underflow += nonzero && want == 0.0;
    // Overflow: to inf, or (a saturating row) any finite value beyond the largest.
    expected.overflow += std::isfinite(in[i]) &&
                         (std::isinf(want) || (row.overflow == OverflowRule::kSaturate &&
                                               std::fabs(in[i]) > row.largest_finite));
    expected.nonfinite += !std::isfinite(want);
    // Saturated: a saturating row's values beyond its largest finite one, infinities too.
    expected.saturated += row.overflow == OverflowRule::kSaturate && !std::isnan(in[i]) &&
                          std::fabs(in[i]) > row.largest_finite;
  }
  EXPECT_EQ(mismatches, 0) << row.name;
  // fp32 into fp32 is a copy that counts only the values (nothing can underflow or overflow).
  if (row.bits == 32) return;
  EXPECT_EQ(stats.values, in.size()) << row.name;
  EXPECT_EQ(stats.nonzero, expected.nonzero) << row.name;
  EXPECT_EQ(stats.underflow, expected.underflow) << row.name;
  EXPECT_EQ(stats.overflow, expected.overflow) << row.name;
  EXPECT_EQ(stats.nonfinite, expected.nonfinite) << row.name;
  EXPECT_EQ(stats.saturated, expected.saturated) << row.name;
}

TEST(FormatTable, LimitsAreNumericsMdAndFollowFromTheWidths) {
  // NUMERICS.md "Formats": max finite, smallest normal, smallest subnormal.
  EXPECT_EQ(traits(Format::kF16).largest_finite, 65504.0f);
  EXPECT_EQ(traits(Format::kF16).smallest_normal, std::ldexp(1.0f, -14));
  EXPECT_EQ(traits(Format::kF16).smallest_subnormal, std::ldexp(1.0f, -24));
  EXPECT_EQ(traits(Format::kBf16).largest_finite, std::numeric_limits<bf16>::max());
  EXPECT_EQ(traits(Format::kBf16).smallest_subnormal, float(std::numeric_limits<bf16>::denorm_min()));
  EXPECT_EQ(traits(Format::kF32).largest_finite, std::numeric_limits<float>::max());
  EXPECT_EQ(traits(Format::kF32).smallest_subnormal, std::numeric_limits<float>::denorm_min());
  for (Format f : all_formats()) {
    const FormatTraits& t = traits(f);
    EXPECT_EQ(t.bits, 1 + t.exponent_bits + t.mantissa_bits) << t.name;
    EXPECT_EQ(t.storage_bytes * 8, t.bits) << t.name;
    // The largest finite value the widths give (the reference lists every value: <= 16 bits).
    if (t.bits <= 16) EXPECT_EQ(double(t.largest_finite), test::FormatReference(t).largest()) << t.name;
    EXPECT_EQ(t.smallest_normal, std::ldexp(1.0f, 1 - t.bias)) << t.name;
    EXPECT_EQ(t.smallest_subnormal, std::ldexp(1.0f, 1 - t.bias - t.mantissa_bits)) << t.name;
    EXPECT_EQ(parse_format(t.name, "test"), f);
    EXPECT_EQ(format_from_checkpoint_code(t.checkpoint_code), f) << t.name;
  }
}

TEST(FormatTable, UnknownNameListsTheTable) {
  try {
    parse_format("fp8", "--compute-format");
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "--compute-format: unknown format \"fp8\"; expected one of fp32, fp16, bf16, e4m3, e5m2");
  }
}

TEST(FormatTable, EveryRowRoundsAsTheScalarReference) {
  for (Format f : all_formats()) {
    const FormatTraits& row = traits(f);
    if (row.bits <= 16) {
      expect_rounds_as_reference(row);
      continue;
    }
    // fp32 into fp32 is a copy (the reference lists every value: 16 bits at most).
    const std::vector<float> in = {1.0f, -0.0f, 1e-45f, 3e38f, std::numeric_limits<float>::infinity()};
    std::vector<float> out(in.size());
    RoundStats s;
    round_from_float(in.data(), row, out.data(), in.size(), kNearestEven, &s);
    EXPECT_EQ(std::memcmp(in.data(), out.data(), in.size() * 4), 0);
    EXPECT_EQ(s.values, in.size());
  }
}

TEST(FormatTable, TheGenericLoopsRoundEveryRowAsTheReference) {
  // The conversions from widths alone (a new row's starting point) on the known rows.
  for (Format f : all_formats()) {
    FormatTraits row = traits(f);
    if (row.bits > 16) continue;
    row.to_float = to_float_by_widths;
    row.from_float = from_float_by_widths;
    expect_rounds_as_reference(row);
  }
}

// A format no code knows: 1-5-6, bias 15, stored in 2 bytes, saturating like OCP's FP8.
constexpr FormatTraits kTwelveBit = {
    "e5m6", 12, 2, 5, 6, 15, 65024.0f, 0x1p-14f, 0x1p-20f, SpecialValues::kInfAndNan,
    OverflowRule::kSaturate, 200, to_float_by_widths, from_float_by_widths};

TEST(FormatTable, ANewFormatIsARow) {
  EXPECT_EQ(double(kTwelveBit.largest_finite), test::FormatReference(kTwelveBit).largest());
  // Converts (threaded entry points, many blocks) exactly as the reference, and counts.
  expect_rounds_as_reference(kTwelveBit);
  // Statistics, by hand: 1e-7 is below half the smallest subnormal (2^-21 = 4.8e-7) and
  // flushes; 1e5 saturates to 65024; NaN stays NaN; 1.0 is exact.
  const std::vector<float> in = {1e-7f, 1e5f, std::numeric_limits<float>::quiet_NaN(), 1.0f};
  std::vector<std::uint16_t> out(in.size());
  RoundStats s;
  round_from_float(in.data(), kTwelveBit, out.data(), in.size(), kNearestEven, &s);
  EXPECT_EQ(s.values, 4u);
  EXPECT_EQ(s.nonzero, 4u);
  EXPECT_EQ(s.underflow, 1u);
  EXPECT_EQ(s.overflow, 1u);
  EXPECT_EQ(s.nonfinite, 1u);
  std::vector<float> back(in.size());
  convert_to_float(kTwelveBit, out.data(), back.data(), back.size());
  EXPECT_EQ(back[0], 0.0f);
  EXPECT_EQ(back[1], 65024.0f);
  EXPECT_TRUE(std::isnan(back[2]));
  EXPECT_EQ(back[3], 1.0f);
  EXPECT_EQ(out[3], 15u << 6);  // exponent field 15 (the bias), mantissa 0
  // Memory: what the row stores per value.
  EXPECT_EQ(kTwelveBit.bytes_for(1000), 2000u);
}

}  // namespace
}  // namespace mixprec
