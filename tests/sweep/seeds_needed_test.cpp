// Power of the paired t-test and the seeds it needs (src/sweep/seeds_needed.hpp) against
// tests/sweep/paired_reference.py: mpmath at 40 digits, the non-central t CDF integrated
// over the chi-square variable (independent of Boost's series), n stepped one at a time.
#include "sweep/seeds_needed.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace mixprec {
namespace {

// Boost's non-central t is good to ~1e-13 here and the references to 17 digits, so 1e-9
// relative leaves room for rounding yet catches any slip in the formula (dof, lambda, tails).
constexpr double kRel = 1e-9;

TEST(PairedTPower, MatchesIndependentReference) {
  struct Row { int n; double effect, sd, power; };
  const Row rows[] = {
      {10, 0.0025, 0.003, 0.65122658602474588},
      {5, 1.0, 1.0, 0.40138991737179504},  // R's power.t.test(5, 1, 1, type = "paired"): 0.4014
      {30, 0.5, 1.2, 0.59726132840236872},
  };
  for (const Row& r : rows)
    EXPECT_NEAR(paired_t_power(r.n, r.effect, r.sd), r.power, kRel * r.power) << "n=" << r.n;
}

TEST(SeedsNeeded, MatchesIndependentReference) {
  EXPECT_EQ(seeds_needed(0.0025, 0.003), 14);  // 0.25 points with sd of differences 0.30 points
  EXPECT_EQ(seeds_needed(0.001, 0.0011), 12);
  EXPECT_EQ(seeds_needed(1.0, 1.0), 10);       // Cohen's d = 1: the textbook 10 pairs
  EXPECT_EQ(seeds_needed(0.1, 0.3), 73);
  // The answer is the first n at 80%: the one before falls short.
  EXPECT_LT(paired_t_power(72, 0.1, 0.3), 0.8);
  EXPECT_GE(paired_t_power(73, 0.1, 0.3), 0.8);
}

TEST(SeedsNeeded, EdgeCases) {
  EXPECT_EQ(seeds_needed(0.01, 0.0), 2);          // no spread: the fewest pairs a t-test allows
  EXPECT_EQ(seeds_needed(10.0, 0.001), 2);        // huge effect
  EXPECT_FALSE(seeds_needed(1e-6, 1.0, 0.05, 0.8, 1000));  // beyond the search limit
  EXPECT_THROW(seeds_needed(0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(seeds_needed(0.1, -1.0), std::invalid_argument);
  EXPECT_THROW(paired_t_power(1, 0.1, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace mixprec
