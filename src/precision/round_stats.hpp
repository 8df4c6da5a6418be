#pragma once
// What rounding a tensor into a narrower format did to it (NUMERICS.md "Statistics"): how
// many non-zero values flushed to zero and how many finite values overflowed to inf.
// Counting costs a compare per value in a pass that runs anyway, so it is always exact.
#include <cstdint>

namespace mixprec {

struct RoundStats {
  std::uint64_t values = 0;      // values rounded
  std::uint64_t nonzero = 0;     // of which non-zero in fp32
  std::uint64_t underflow = 0;   // non-zero in fp32, zero after rounding
  std::uint64_t overflow = 0;    // finite in fp32, inf (or saturated) after rounding
  std::uint64_t nonfinite = 0;   // inf or NaN after rounding (overflows and non-finite inputs)

  RoundStats& operator+=(const RoundStats& o) {
    values += o.values;
    nonzero += o.nonzero;
    underflow += o.underflow;
    overflow += o.overflow;
    nonfinite += o.nonfinite;
    return *this;
  }
};
// Parallel loops sum RoundStats directly: `#pragma omp parallel for reduction(+ : stats)`.
#pragma omp declare reduction(+ : RoundStats : omp_out += omp_in) initializer(omp_priv = RoundStats{})

}  // namespace mixprec
