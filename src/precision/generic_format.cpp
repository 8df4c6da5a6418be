#include "precision/generic_format.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "precision/stochastic_rounding.hpp"

namespace mixprec {
namespace {

std::uint32_t load_code(const void* src, int bytes, std::size_t i) {
  std::uint32_t code = 0;
  std::memcpy(&code, static_cast<const std::byte*>(src) + i * std::size_t(bytes), std::size_t(bytes));
  return code;  // little-endian host (x86-64)
}

void store_code(void* dst, int bytes, std::size_t i, std::uint32_t code) {
  std::memcpy(static_cast<std::byte*>(dst) + i * std::size_t(bytes), &code, std::size_t(bytes));
}

std::uint32_t all_ones(int bits) { return (std::uint32_t{1} << bits) - 1; }

// The NaN a rounding produces: quiet (top mantissa bit set) in IEEE formats, S.1..1.1..1
// where that is the only NaN.
std::uint32_t nan_code(const FormatTraits& row, std::uint32_t sign) {
  const std::uint32_t exp = all_ones(row.exponent_bits) << row.mantissa_bits;
  if (row.special == SpecialValues::kNanOnly) return sign | exp | all_ones(row.mantissa_bits);
  return sign | exp | (std::uint32_t{1} << (row.mantissa_bits - 1));
}

// |x| (finite, not zero) rounded to the nearest value of the row, ties to even, as a code
// without sign; beyond the largest finite value, inf or the largest finite (OverflowRule).
std::uint32_t round_magnitude(const FormatTraits& row, double a, bool& overflowed) {
  const int m = row.mantissa_bits;
  const int emin = 1 - row.bias;
  if (row.overflow == OverflowRule::kSaturate && a > double(row.largest_finite)) {
    overflowed = true;  // beyond the largest finite value: saturated, whatever it rounds to
    a = double(row.largest_finite);
  }
  int e = std::ilogb(a);
  if (e < emin) e = emin;                                        // subnormal range: fixed quantum
  const double scaled = std::nearbyint(std::ldexp(a, m - e));   // exact scaling, then RNE
  const double r = std::ldexp(scaled, e - m);
  if (r > double(row.largest_finite)) {
    overflowed = true;
    if (row.special == SpecialValues::kNanOnly)                 // no inf: NaN (OCP, unsaturated)
      return (all_ones(row.exponent_bits) << m) | all_ones(m);
    return all_ones(row.exponent_bits) << m;                    // inf
  }
  if (r == 0.0) return 0;
  int re = std::ilogb(r);
  if (re < emin) return std::uint32_t(std::ldexp(r, m - emin));  // subnormal: mantissa only
  const std::uint32_t mantissa = std::uint32_t(std::ldexp(r, m - re)) - (std::uint32_t{1} << m);
  return (std::uint32_t(re + row.bias) << m) | mantissa;
}

}  // namespace

void to_float_by_widths(const FormatTraits& row, const void* src, float* dst, std::size_t n) {
  const int m = row.mantissa_bits, bits = row.exponent_bits + m;
  const std::uint32_t exp_ones = all_ones(row.exponent_bits);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t code = load_code(src, row.storage_bytes, i);
    const bool negative = (code >> bits) & 1u;
    const std::uint32_t exp = (code >> m) & exp_ones, mantissa = code & all_ones(m);
    double v;
    if (exp == exp_ones && row.special == SpecialValues::kInfAndNan) {
      v = mantissa == 0 ? std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::quiet_NaN();
    } else if (exp == exp_ones && mantissa == all_ones(m)) {
      v = std::numeric_limits<double>::quiet_NaN();  // kNanOnly: S.1..1.1..1
    } else if (exp == 0) {
      v = std::ldexp(double(mantissa), 1 - row.bias - m);
    } else {
      v = std::ldexp(double(mantissa | (std::uint32_t{1} << m)), int(exp) - row.bias - m);
    }
    dst[i] = float(negative ? -v : v);
  }
}

void from_float_by_widths(const FormatTraits& row, const float* src, void* dst, std::size_t n,
                          const Rounding& rounding, RoundStats* stats) {
  // Stochastic rounding moves each value to one of its two neighbours first (a value of the
  // row, or one beyond its largest finite value), which the nearest rounding below keeps.
  const bool stochastic = rounding.mode == RoundingMode::kStochastic;
  const RandomKey key = random_key(rounding);
  const StochasticGrid grid = stochastic_grid(row);
  const std::uint32_t sign_bit = std::uint32_t{1} << (row.exponent_bits + row.mantissa_bits);
  RoundStats s;
  for (std::size_t i = 0; i < n; ++i) {
    const float x = stochastic ? stochastic_snap(src[i], grid, random_bits(key, rounding.element + i)) : src[i];
    const std::uint32_t sign = std::signbit(x) ? sign_bit : 0;
    std::uint32_t code;
    bool overflowed = false;
    if (std::isnan(x)) {
      code = nan_code(row, sign);
    } else if (std::isinf(x)) {
      // A saturating row stores +-largest finite, with or without an inf of its own: CUDA's
      // __NV_SATFINITE conversion, which Transformer Engine's FP8 casts use, maps +-inf to
      // +-max (docs/precision.md "FP8"). Else inf, or NaN where the row has no inf.
      if (row.overflow == OverflowRule::kSaturate)
        code = sign | round_magnitude(row, double(row.largest_finite), overflowed);
      else if (row.special == SpecialValues::kNanOnly)
        code = nan_code(row, sign);
      else
        code = sign | all_ones(row.exponent_bits) << row.mantissa_bits;
    } else if (x == 0.0f) {
      code = sign;
    } else {
      code = sign | round_magnitude(row, std::fabs(double(x)), overflowed);
    }
    store_code(dst, row.storage_bytes, i, code);
    if (stats) {
      float back;
      to_float_by_widths(row, &code, &back, 1);
      const bool nonzero = src[i] != 0.0f;
      s.nonzero += nonzero;
      s.underflow += nonzero && back == 0.0f;
      s.overflow += overflowed;
      s.nonfinite += !std::isfinite(back);
      s.saturated += row.overflow == OverflowRule::kSaturate && !std::isnan(x) &&
                     std::fabs(x) > row.largest_finite;
    }
  }
  if (stats) {
    s.values = n;
    *stats += s;
  }
}

}  // namespace mixprec
