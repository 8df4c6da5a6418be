// Stochastic rounding (NUMERICS.md "Beyond nearest rounding"), checked against the
// definition written out with the reference's list of values (format_reference.hpp), and
// statistically: a value at fraction p between its neighbours rounds up with frequency p.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "precision/convert.hpp"
#include "precision/generic_format.hpp"
#include "precision/stochastic_rounding.hpp"
#include "precision/format_reference.hpp"

namespace mixprec {
namespace {

Rounding stochastic(std::uint64_t seed = 1, std::uint64_t step = 0, std::uint32_t tensor = 0) {
  Rounding r;
  r.mode = RoundingMode::kStochastic;
  r.seed = seed;
  r.step = step;
  r.tensor = tensor;
  return r;
}

std::vector<float> widen(const FormatTraits& row, const std::vector<std::uint16_t>& codes) {
  std::vector<float> out(codes.size());
  convert_to_float(row, codes.data(), out.data(), out.size());
  return out;
}

// n copies of v, rounded stochastically into `row` (the threaded entry point, every element
// its own random bits); returns the widened results.
std::vector<float> round_copies(const FormatTraits& row, float v, std::size_t n, const Rounding& r) {
  const std::vector<float> in(n, v);
  std::vector<std::uint16_t> out(n);
  round_from_float(in.data(), row, out.data(), n, r, nullptr);
  return widen(row, out);
}

// The definition: lo or hi, up when floor(p * 2^32) + r >= 2^32, p = (|v| - lo)/(hi - lo).
double reference_rounding(const test::FormatReference& ref, float v, std::uint32_t r) {
  const double a = std::fabs(double(v)), sign = std::signbit(v) ? -1.0 : 1.0;
  const auto [lo, hi] = ref.neighbours(a);
  if (lo == hi) return sign * lo;
  const double p = (a - lo) / (hi - lo);  // exact: a, lo, hi are close doubles
  const std::uint64_t f = std::uint64_t(std::ldexp(p, 32));
  return sign * (f + r >= (std::uint64_t{1} << 32) ? hi : lo);
}

const FormatTraits& bf16_row() { return traits(Format::kBf16); }
const FormatTraits& fp16_row() { return traits(Format::kF16); }

// 2^20 draws at fractions 1/4, 1/2, 3/4 between two neighbours: normal values in several
// binades, both signs, and fp16 subnormals. Bound: 5 standard deviations of a binomial.
TEST(StochasticRounding, RoundsUpWithTheFractionAsFrequency) {
  constexpr std::size_t kDraws = std::size_t{1} << 20;
  struct Case {
    const FormatTraits* row;
    double lo, ulp;
  };
  const Case cases[] = {{&bf16_row(), 1.0, 0x1p-7}, {&bf16_row(), -3.0, -0x1p-6},
                        {&bf16_row(), 0x1p-130, 0x1p-133},  // bf16 subnormals
                        {&fp16_row(), 1.0, 0x1p-10}, {&fp16_row(), -1000.0, -0.5},
                        {&fp16_row(), 0x1p-20, 0x1p-24},    // fp16 subnormals
                        {&fp16_row(), 0.0, 0x1p-24}};       // below the smallest subnormal
  for (const Case& c : cases) {
    for (const double p : {0.25, 0.5, 0.75}) {
      const float v = float(c.lo + p * c.ulp);
      ASSERT_EQ(double(v), c.lo + p * c.ulp);
      const std::vector<float> got = round_copies(*c.row, v, kDraws, stochastic(7, 3, 5));
      std::size_t up = 0;
      for (float g : got) {
        ASSERT_TRUE(double(g) == c.lo || double(g) == c.lo + c.ulp) << c.row->name << " " << v << " -> " << g;
        up += double(g) == c.lo + c.ulp;
      }
      const double sd = std::sqrt(kDraws * p * (1 - p));
      EXPECT_NEAR(double(up), kDraws * p, 5 * sd) << c.row->name << " value " << v << " p " << p;
    }
  }
}

// The same draws over steps instead of elements: one element, 2^16 steps.
TEST(StochasticRounding, FrequencyHoldsAcrossSteps) {
  constexpr int kSteps = 1 << 16;
  const float v = 1.0f + 0.25f * 0x1p-7f;
  int up = 0;
  for (int step = 0; step < kSteps; ++step) {
    std::uint16_t code;
    round_from_float(&v, Format::kBf16, &code, 1, stochastic(3, std::uint64_t(step), 1), nullptr);
    up += code != 0x3f80;
  }
  EXPECT_NEAR(up, kSteps * 0.25, 5 * std::sqrt(kSteps * 0.25 * 0.75));
}

// Values the format holds, +-inf and NaN come back unchanged; beyond the largest finite
// value the nearest rule applies (max or inf, never by chance).
TEST(StochasticRounding, RepresentableAndSpecialValuesAreUnchanged) {
  for (const FormatTraits* row : {&bf16_row(), &fp16_row()}) {
    std::vector<std::uint16_t> codes;
    for (std::uint32_t c = 0; c < 0x10000; ++c) codes.push_back(std::uint16_t(c));
    const std::vector<float> values = widen(*row, codes);
    std::vector<std::uint16_t> again(values.size());
    round_from_float(values.data(), *row, again.data(), values.size(), stochastic(11), nullptr);
    for (std::size_t c = 0; c < codes.size(); ++c) {
      if (std::isnan(values[c])) {
        const std::uint16_t quiet = row == &bf16_row() ? 0x0040 : 0x0200;
        EXPECT_EQ(again[c], codes[c] | quiet) << row->name << " NaN code " << c;  // kept, made quiet
      } else {
        EXPECT_EQ(again[c], codes[c]) << row->name << " code " << c;
      }
    }
    const double max = row->largest_finite;
    const test::FormatReference ref(*row);
    for (const float beyond : {float(max * (1 + 0x1p-12)), float(max * 1.0039), std::nextafter(float(max), INFINITY),
                               std::numeric_limits<float>::max()}) {
      for (const float v : {beyond, -beyond}) {
        for (float got : round_copies(*row, v, 64, stochastic(5)))
          EXPECT_TRUE(test::same_value(ref.round(v), got)) << row->name << " " << v << " -> " << got;
      }
    }
  }
}

// The value under test, for any r: the production snap (scalar and vector) equals the
// definition on random finite inputs; for bf16 it also equals the bit trick "add the top 16
// random bits to the fp32 pattern, truncate the low 16".
TEST(StochasticRounding, EqualsTheDefinitionOnRandomInputs) {
  std::mt19937 gen(2024);
  for (const FormatTraits* row : {&bf16_row(), &fp16_row()}) {
    const test::FormatReference ref(*row);
    const StochasticGrid grid = stochastic_grid(*row);
    const Rounding r = stochastic(9, 4, 2);
    const RandomKey key = random_key(r);
    std::vector<float> in;
    while (in.size() < 200000) {
      float v;
      const std::uint32_t u = gen();
      std::memcpy(&v, &u, 4);
      // Finite and within the row's range; for fp16 half of them near its range, where a
      // random bit pattern would rarely land.
      if (row == &fp16_row() && in.size() % 2) v = std::ldexp(float(gen() % 100000) / 100000.0f, -int(gen() % 40) + 16);
      if (std::isfinite(v) && std::fabs(v) <= row->largest_finite) in.push_back(v);
    }
    std::vector<std::uint16_t> out(in.size());
    round_from_float(in.data(), *row, out.data(), in.size(), r, nullptr);
    const std::vector<float> got = widen(*row, out);
    for (std::size_t i = 0; i < in.size(); ++i) {
      const std::uint32_t bits = random_bits(key, i);
      const double expected = reference_rounding(ref, in[i], bits);
      ASSERT_TRUE(test::same_value(expected, got[i])) << row->name << " " << in[i] << " -> " << got[i];
      ASSERT_TRUE(test::same_value(expected, stochastic_snap(in[i], grid, bits)));
      if (row == &bf16_row()) {
        std::uint32_t u;
        std::memcpy(&u, &in[i], 4);
        const std::uint32_t trick = ((u + (bits >> 16)) >> 16) << 16;
        float t;
        std::memcpy(&t, &trick, 4);
        ASSERT_TRUE(test::same_value(expected, t)) << in[i];
      }
    }
  }
}

// A value's bits depend on its element index, not on how the tensor was split into calls;
// and another step or tensor gives other bits.
TEST(StochasticRounding, KeyedByElementNotBySplit) {
  std::vector<float> in(10007);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = 1.0f + float(i % 97) * 0x1p-12f;
  const Rounding r = stochastic(1, 2, 3);
  std::vector<std::uint16_t> whole(in.size()), parts(in.size());
  round_from_float(in.data(), Format::kBf16, whole.data(), in.size(), r, nullptr);
  const std::size_t cut = 4099;
  round_from_float(in.data(), Format::kBf16, parts.data(), cut, r, nullptr);
  round_from_float(in.data() + cut, Format::kBf16, parts.data() + cut, in.size() - cut,
                   r.starting_at(cut), nullptr);
  EXPECT_EQ(whole, parts);
  for (const Rounding& other : {stochastic(1, 3, 3), stochastic(1, 2, 4), stochastic(2, 2, 3)}) {
    std::vector<std::uint16_t> o(in.size());
    round_from_float(in.data(), Format::kBf16, o.data(), in.size(), other, nullptr);
    EXPECT_NE(o, whole);
  }
}

// Element indices past 2^32 (a vector that straddles 2^32 included) get the scalar bits.
TEST(StochasticRounding, VectorBitsMatchScalarBitsAcross2To32) {
  const Rounding r = stochastic(5, 6, 7).starting_at((std::uint64_t{1} << 32) - 9);
  std::vector<float> in(64);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = 1.0f + float(i) * 0x1p-12f;
  std::vector<std::uint16_t> out(in.size());
  round_from_float(in.data(), Format::kBf16, out.data(), in.size(), r, nullptr);
  const RandomKey key = random_key(r);
  const StochasticGrid grid = stochastic_grid(bf16_row());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const float expected = stochastic_snap(in[i], grid, random_bits(key, r.element + i));
    EXPECT_EQ(std::uint32_t(out[i]) << 16, float_bits(expected)) << i;
  }
}

// The threaded entry point splits a large tensor between threads: the same bits with 1 and
// 2 threads, since each value's random bits depend only on its element index.
TEST(StochasticRounding, SameBitsForOneAndTwoThreads) {
  std::vector<float> in(300001);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::sin(float(i)) * 1e-3f;
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    std::vector<std::uint16_t> out(in.size());
    RoundStats s;
    round_from_float(in.data(), Format::kF16, out.data(), in.size(), stochastic(8, 1, 2), &s);
    return std::make_pair(out, s.underflow);
  };
  const auto one = run(1), two = run(2);
  omp_set_num_threads(2);
  EXPECT_TRUE(one == two);
}

// Statistics as for nearest: a value that stochastic rounding sends to zero is an underflow.
TEST(StochasticRounding, CountsUnderflowAndOverflow) {
  // 0.25 of fp16's smallest subnormal: zero 3 times in 4; 1e6 overflows; NaN is non-finite.
  std::vector<float> in(4096, 0x1p-26f);
  in.push_back(1e6f);
  in.push_back(std::numeric_limits<float>::quiet_NaN());
  std::vector<std::uint16_t> out(in.size());
  RoundStats s;
  round_from_float(in.data(), Format::kF16, out.data(), in.size(), stochastic(4), &s);
  std::uint64_t zeros = 0;
  for (std::size_t i = 0; i < 4096; ++i) zeros += out[i] == 0;
  EXPECT_EQ(s.values, in.size());
  EXPECT_EQ(s.nonzero, in.size());
  EXPECT_EQ(s.underflow, zeros);
  EXPECT_NEAR(double(zeros), 3072.0, 5 * std::sqrt(4096 * 0.75 * 0.25));
  EXPECT_EQ(s.overflow, 1u);
  EXPECT_EQ(s.nonfinite, 2u);
}

// The same for bf16, whose vector loop takes the constant-width snap: fp32 subnormals a
// quarter of bf16's smallest subnormal (2^-135 of 2^-133) vanish 3 times in 4, each counted.
TEST(StochasticRounding, CountsBf16UnderflowInTheVectorLoop) {
  std::vector<float> in(4096, 0x1p-135f);
  for (std::size_t i = 0; i < in.size(); i += 2) in[i] = -in[i];  // both signs
  std::vector<std::uint16_t> out(in.size());
  RoundStats s;
  round_from_float(in.data(), Format::kBf16, out.data(), in.size(), stochastic(5), &s);
  std::uint64_t zeros = 0;
  for (std::uint16_t code : out) zeros += (code & 0x7fff) == 0;
  EXPECT_EQ(s.nonzero, in.size());
  EXPECT_EQ(s.underflow, zeros);
  EXPECT_NEAR(double(zeros), 3072.0, 5 * std::sqrt(4096 * 0.75 * 0.25));
}

// The generic loop (any row, from its widths) rounds stochastically by the same definition.
TEST(StochasticRounding, GenericRowsFollowTheDefinition) {
  FormatTraits row = traits(Format::kF16);
  row.from_float = from_float_by_widths;
  row.to_float = to_float_by_widths;
  const test::FormatReference ref(row);
  std::mt19937 gen(5);
  std::vector<float> in;
  for (int i = 0; i < 20000; ++i) in.push_back(std::ldexp(float(gen() % 1000000) / 1e6f, -int(gen() % 30) + 15) * (i % 2 ? -1.0f : 1.0f));
  const Rounding r = stochastic(3, 1, 1);
  std::vector<std::uint16_t> out(in.size()), vectorised(in.size());
  round_from_float(in.data(), row, out.data(), in.size(), r, nullptr);
  round_from_float(in.data(), Format::kF16, vectorised.data(), in.size(), r, nullptr);
  EXPECT_EQ(out, vectorised);
  const RandomKey key = random_key(r);
  const std::vector<float> got = widen(row, out);
  for (std::size_t i = 0; i < in.size(); ++i)
    ASSERT_TRUE(test::same_value(reference_rounding(ref, in[i], random_bits(key, i)), got[i])) << in[i];
}

}  // namespace
}  // namespace mixprec
