#pragma once
// What rounding a tensor into a narrower format did to it (NUMERICS.md "Statistics"): how
// many non-zero values flushed to zero, how many finite values overflowed to inf, and (the
// saturating FP8 rows) how many values were clamped to +-largest finite.
// Counting costs a compare per value in a pass that runs anyway, so it is always exact.
#include <cstdint>

namespace mixprec {

struct RoundStats {
  std::uint64_t values = 0;      // values rounded
  std::uint64_t nonzero = 0;     // of which non-zero in fp32
  std::uint64_t underflow = 0;   // non-zero in fp32, zero after rounding
  std::uint64_t overflow = 0;    // finite in fp32, inf (or saturated) after rounding
  std::uint64_t nonfinite = 0;   // inf or NaN after rounding (overflows and non-finite inputs)
  // Stored as +-largest finite because the value (after its scale, for a scaled FP8 cast) was
  // beyond it: finite values and infinities alike (OverflowRule::kSaturate rows; 0 for IEEE
  // rows). NUMERICS.md "8-bit formats": the saturated fraction of a tensor.
  std::uint64_t saturated = 0;

  RoundStats& operator+=(const RoundStats& o) {
    values += o.values;
    nonzero += o.nonzero;
    underflow += o.underflow;
    overflow += o.overflow;
    nonfinite += o.nonfinite;
    saturated += o.saturated;
    return *this;
  }
};
// Parallel loops sum RoundStats directly: `#pragma omp parallel for reduction(+ : stats)`.
#pragma omp declare reduction(+ : RoundStats : omp_out += omp_in) initializer(omp_priv = RoundStats{})

}  // namespace mixprec
