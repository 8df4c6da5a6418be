#pragma once
// A scalar reference for any row of the format table, written from the row's widths alone
// and by a different method than the production code (precision/generic_format.cpp): it
// lists every finite value of the format and rounds to the nearest one by search, ties to
// the even code. Rows up to 16 bits. Test code: every vectorised loop is checked against it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "precision/format.hpp"

namespace mixprec::test {

struct FormatReference {
  explicit FormatReference(const FormatTraits& row) : row_(row) {
    const int m = row.mantissa_bits, e = row.exponent_bits;
    for (std::uint32_t exp = 0; exp < (1u << e); ++exp) {
      for (std::uint32_t man = 0; man < (1u << m); ++man) {
        const bool top = exp == (1u << e) - 1;
        if (top && row.special == SpecialValues::kInfAndNan) continue;          // inf, NaN
        if (top && man == (1u << m) - 1 && row.special == SpecialValues::kNanOnly) continue;
        // value = man * 2^(1 - bias - m) for exp 0, else (2^m + man) * 2^(exp - bias - m)
        const double v = exp == 0 ? double(man) * std::pow(2.0, 1 - row.bias - m)
                                  : double((1u << m) + man) * std::pow(2.0, int(exp) - row.bias - m);
        values_.push_back({v, (exp << m) | man});
      }
    }
    std::sort(values_.begin(), values_.end(), [](const Entry& a, const Entry& b) { return a.value < b.value; });
  }

  // The value x rounds to (nearest-even), as a double: +-inf or NaN where the row has them.
  double round(float x) const {
    if (std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
    const double a = std::fabs(double(x));
    const double sign = std::signbit(x) ? -1.0 : 1.0;
    const Entry& max = values_.back();
    const double max_ulp = max.value - values_[values_.size() - 2].value;
    if (std::isinf(x) || a >= max.value + max_ulp / 2) {
      // Beyond the largest finite value by half an ulp or more (IEEE rounds the tie up: the
      // largest finite code is odd).
      // Saturating rows clamp infinities too (CUDA's __NV_SATFINITE, which Transformer
      // Engine's FP8 casts use; docs/precision.md "FP8").
      if (row_.overflow == OverflowRule::kSaturate) return sign * max.value;
      if (row_.special == SpecialValues::kNanOnly) return std::numeric_limits<double>::quiet_NaN();
      return sign * std::numeric_limits<double>::infinity();
    }
    if (a > max.value && row_.overflow == OverflowRule::kSaturate) return sign * max.value;
    auto hi = std::lower_bound(values_.begin(), values_.end(), a,
                               [](const Entry& e, double v) { return e.value < v; });
    if (hi == values_.end()) return sign * max.value;  // between max and the tie: rounds down
    if (hi->value == a || hi == values_.begin()) return sign * hi->value;
    const auto lo = hi - 1;
    const double dl = a - lo->value, dh = hi->value - a;
    if (dl < dh) return sign * lo->value;
    if (dh < dl) return sign * hi->value;
    return sign * ((lo->code & 1u) == 0 ? lo->value : hi->value);
  }

  // The values of the row around a (0 <= a <= largest()): lo <= a <= hi, equal when the row
  // holds a. The neighbours of NUMERICS.md's definition of stochastic rounding.
  std::pair<double, double> neighbours(double a) const {
    auto hi = std::lower_bound(values_.begin(), values_.end(), a,
                               [](const Entry& e, double v) { return e.value < v; });
    if (hi->value == a) return {a, a};
    return {(hi - 1)->value, hi->value};
  }

  std::size_t finite_positive_count() const { return values_.size(); }
  double largest() const { return values_.back().value; }
  double smallest_subnormal() const { return values_[1].value; }
  double smallest_normal() const { return std::ldexp(1.0, 1 - row_.bias); }

 private:
  struct Entry {
    double value;
    std::uint32_t code;
  };
  const FormatTraits& row_;
  std::vector<Entry> values_;  // every finite non-negative value, ascending
};

// Same value, NaN equal to NaN, and the sign of zero compared too.
inline bool same_value(double expected, float got) {
  if (std::isnan(expected)) return std::isnan(got);
  return double(got) == expected && std::signbit(got) == std::signbit(expected);
}

}  // namespace mixprec::test
