// The FP8 rows of the format table against the OCP tables of ../shared/reference
// (fp8_reference.hpp): every code decodes to the spec's value, and every fp32 value at and
// around each rounding boundary encodes as NUMERICS.md's cast says (nearest even, saturation
// to +-max, NaN kept), through every entry point: the row's from_float and to_float, the
// scaled cast, the widening to bf16 and the scalar path from the widths.
#include <gtest/gtest.h>

#include <string_view>

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "precision/convert.hpp"
#include "precision/fp8_convert.hpp"
#include "precision/generic_format.hpp"
#include "precision/fp8_reference.hpp"

namespace mixprec {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

struct Fp8Case {
  Format format;
  const char* name;
};
const Fp8Case kCases[] = {{Format::kE4m3, "e4m3"}, {Format::kE5m2, "e5m2"}};

std::uint32_t float_bits_of(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}

// Same value, NaN equal to NaN, the sign of zero compared too.
bool same(double expected, float got) {
  if (std::isnan(expected)) return std::isnan(got);
  return double(got) == expected && std::signbit(got) == std::signbit(expected);
}

TEST(Fp8Format, RowsAreNumericsMd) {
  // NUMERICS.md "8-bit formats": widths, bias, limits; one byte each; both saturate.
  struct Expected {
    Format format;
    std::string_view name;
    float largest_finite;
    int normal_exponent, subnormal_exponent;  // log2 of the smallest normal and subnormal
    SpecialValues special;
  };
  const Expected table[] = {{Format::kE4m3, "e4m3", 448.0f, -6, -9, SpecialValues::kNanOnly},
                            {Format::kE5m2, "e5m2", 57344.0f, -14, -16, SpecialValues::kInfAndNan}};
  for (const Expected& x : table) {
    const FormatTraits& row = traits(x.format);
    EXPECT_EQ(row.name, x.name);
    EXPECT_EQ(row.largest_finite, x.largest_finite) << x.name;
    EXPECT_EQ(row.smallest_normal, std::ldexp(1.0f, x.normal_exponent)) << x.name;
    EXPECT_EQ(row.smallest_subnormal, std::ldexp(1.0f, x.subnormal_exponent)) << x.name;
    EXPECT_EQ(row.special, x.special) << x.name;
  }
  for (const Fp8Case& c : kCases) {
    const FormatTraits& row = traits(c.format);
    EXPECT_EQ(row.storage_bytes, 1) << c.name;
    EXPECT_EQ(row.overflow, OverflowRule::kSaturate) << c.name;
    EXPECT_EQ(row.bytes_for(1000), 1000u) << c.name;
    EXPECT_FALSE(has_storage_type(c.format)) << c.name;  // no kernels of its own
    EXPECT_THROW(dispatch_format(c.format, [](auto) { return 0; }), std::logic_error) << c.name;
    // The limits are the table's.
    const test::Fp8Table table(c.name);
    ASSERT_TRUE(table.loaded());
    EXPECT_EQ(double(row.largest_finite), table.largest()) << c.name;
    EXPECT_EQ(double(row.smallest_subnormal), table[0x01].value) << c.name;
    EXPECT_EQ(double(row.smallest_normal), table[std::size_t(1) << row.mantissa_bits].value) << c.name;
  }
  EXPECT_EQ(traits(Format::kE4m3).checkpoint_code, 3);
  EXPECT_EQ(traits(Format::kE5m2).checkpoint_code, 4);
}

TEST(Fp8Format, EveryCodeDecodesToTheOcpValue) {
  for (const Fp8Case& c : kCases) {
    const FormatTraits& row = traits(c.format);
    const test::Fp8Table table(c.name);
    ASSERT_TRUE(table.loaded());
    std::vector<std::uint8_t> codes(256);
    for (int i = 0; i < 256; ++i) codes[std::size_t(i)] = std::uint8_t(i);
    // Every length up to 40 from every start (vector blocks and tails), then all 256 at once.
    std::vector<float> out(256), generic(256);
    std::vector<bf16> carrier(256);
    int mismatches = 0;
    auto check = [&](std::size_t begin, std::size_t n) {
      row.to_float(row, codes.data() + begin, out.data(), n);
      fp8_to_bf16(row, codes.data() + begin, carrier.data(), n);
      to_float_by_widths(row, codes.data() + begin, generic.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        const double want = table[begin + i].value;
        const float widened = static_cast<float>(carrier[i]);
        if ((!same(want, out[i]) || !same(want, widened) || !same(want, generic[i])) && ++mismatches <= 5)
          ADD_FAILURE() << c.name << " code " << begin + i << ": " << out[i] << " (bf16 " << widened
                        << ", scalar " << generic[i] << "), expected " << want;
        // NaN codes keep their sign (the scalar path's quiet NaN of that sign).
        if (std::isnan(want)) {
          EXPECT_EQ(std::signbit(out[i]), (begin + i) >= 0x80) << c.name << " code " << begin + i;
        }
      }
    };
    for (std::size_t n = 1; n <= 40; ++n)
      for (std::size_t begin = 0; begin + n <= 256; begin += 7) check(begin, n);
    check(0, 256);
    EXPECT_EQ(mismatches, 0) << c.name;
  }
}

// fp32 values at and around every rounding boundary of the table, both signs: each value, the
// midpoint to the next (a tie) and one fp32 ulp either side of both; below the smallest
// subnormal; the saturation threshold (max, the midpoint to the next would-be value and the
// would-be value itself, each with its fp32 neighbours; huge values, inf); zeros; NaN.
std::vector<float> boundary_probes(const test::Fp8Table& table) {
  std::vector<float> v;
  auto around = [&](double x) {
    const float f = float(x);
    EXPECT_EQ(double(f), x) << "probe not exact in fp32";
    for (float g : {f, std::nextafter(f, 0.0f), std::nextafter(f, kInf)}) {
      v.push_back(g);
      v.push_back(-g);
    }
  };
  const auto& p = table.positive();
  for (std::size_t i = 0; i < p.size(); ++i) {
    around(p[i].value);
    if (i + 1 < p.size()) {
      around((p[i].value + p[i + 1].value) / 2);
      around((3 * p[i].value + p[i + 1].value) / 4);  // not a tie: nearest is p[i]
    }
  }
  const double min_sub = p[1].value, max = p.back().value, ulp = max - p[p.size() - 2].value;
  for (double x : {min_sub / 2, min_sub / 4, min_sub * 0.75, max + ulp / 2, max + ulp, max + ulp * 1.5,
                   2 * max, 1e10, double(std::numeric_limits<float>::max()),
                   double(std::numeric_limits<float>::denorm_min()), double(std::numeric_limits<float>::min())})
    around(x);
  for (float x : {kInf, -kInf, std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                  std::numeric_limits<float>::signaling_NaN()})
    v.push_back(x);
  return v;
}

TEST(Fp8Format, BoundariesTiesSubnormalsSaturationAndNanEncodeAsTheSpecSays) {
  for (const Fp8Case& c : kCases) {
    const FormatTraits& row = traits(c.format);
    const test::Fp8Table table(c.name);
    ASSERT_TRUE(table.loaded());
    const std::vector<float> in = boundary_probes(table);
    const std::size_t n = in.size();
    std::vector<std::uint8_t> by_row(n), by_cast(n), by_widths(n);
    row.from_float(row, in.data(), by_row.data(), n, kNearestEven, nullptr);
    round_to_fp8(row, in.data(), by_cast.data(), n, 1.0f, nullptr, nullptr);
    from_float_by_widths(row, in.data(), by_widths.data(), n, kNearestEven, nullptr);
    int mismatches = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint8_t want = table.cast(in[i]);
      for (auto [path, got] : {std::pair{"row", by_row[i]}, {"scaled cast", by_cast[i]}, {"widths", by_widths[i]}}) {
        const bool ok = std::isnan(in[i]) ? table[got].kind == "nan" && (got & 0x80) == (want & 0x80) : got == want;
        if (!ok && ++mismatches <= 8)
          ADD_FAILURE() << c.name << " " << path << ": " << in[i] << " (0x" << std::hex << float_bits_of(in[i])
                        << ") encoded as 0x" << int(got) << ", the spec says 0x" << int(want) << std::dec;
      }
    }
    EXPECT_EQ(mismatches, 0) << c.name;
  }
}

TEST(Fp8Format, HandPickedCodes) {
  // A few results worked out by hand from the spec, independent of the CSV files.
  struct Case {
    Format format;
    float x;
    std::uint8_t code;
  };
  const Case cases[] = {
      {Format::kE4m3, 1.0f, 0x38},          // exponent 7 (the bias), mantissa 0
      {Format::kE4m3, 1.0625f, 0x38},       // tie between 1 and 1.125: the even mantissa (0)
      {Format::kE4m3, 1.1875f, 0x3a},       // tie between 1.125 and 1.25: even is 1.25 (010)
      {Format::kE4m3, 464.0f, 0x7e},        // max + half ulp: saturates to 448
      {Format::kE4m3, 1e6f, 0x7e},          // far beyond: +max
      {Format::kE4m3, -kInf, 0xfe},         // -inf: -max (no inf in E4M3; __NV_SATFINITE)
      {Format::kE4m3, 0x1p-10f, 0x00},      // half the smallest subnormal: tie, even is 0
      {Format::kE4m3, 0x1.000002p-10f, 0x01},
      {Format::kE4m3, -0.0f, 0x80},
      {Format::kE5m2, 57344.0f, 0x7b},
      {Format::kE5m2, 61440.0f, 0x7b},      // would round to inf in IEEE: saturates
      {Format::kE5m2, kInf, 0x7b},          // inf saturates too: E5M2's 0x7c is never made
      {Format::kE5m2, 0x1p-17f, 0x00},
      {Format::kE5m2, 0x1.8p-16f, 0x02},    // tie between 1 and 2 quanta: even is 2
      {Format::kE5m2, -0x1p-14f, 0x84},     // the smallest normal
  };
  for (const Case& c : cases) {
    std::uint8_t got = 0xff;
    round_to_fp8(traits(c.format), &c.x, &got, 1, 1.0f, nullptr, nullptr);
    EXPECT_EQ(int(got), int(c.code)) << to_string(c.format) << " " << c.x;
  }
}

}  // namespace
}  // namespace mixprec
