// Paired t interval, p-value and correlation (src/sweep/paired_stats.hpp) against values
// computed independently with mpmath at 40 digits by tests/sweep/paired_reference.py
// (the quantities SciPy's ttest_rel and t.interval give; SciPy itself is not on Debian's
// minimal image). Tolerance 1e-9 relative: the references are exact to 17 digits and Boost
// is good to a few ulps, so 1e-9 leaves room for summation order yet fails on any formula
// error (a wrong dof moves the bounds by >1e-2 relative).
#include "sweep/paired_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace mixprec {
namespace {

constexpr double kRel = 1e-9;

void expect_rel(double actual, double expected, const char* what) {
  EXPECT_NEAR(actual, expected, kRel * std::fabs(expected)) << what;
}

// Ten seeds of test accuracy: a = fp16-mixed, b = fp32, same seed at the same index.
const std::vector<double> kA = {0.8812, 0.8790, 0.8851, 0.8803, 0.8836, 0.8779, 0.8824, 0.8847, 0.8801, 0.8830};
const std::vector<double> kB = {0.8795, 0.8781, 0.8822, 0.8800, 0.8809, 0.8770, 0.8811, 0.8829, 0.8796, 0.8805};

TEST(PairedT, MatchesIndependentReferenceOnTenSeeds) {
  const auto p = paired_t(kA, kB);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->n, 10);
  EXPECT_EQ(p->dof, 9);
  expect_rel(p->diff, 0.00155, "mean difference");
  expect_rel(p->sd_diff, 0.00092526272545213401, "sd of differences");
  expect_rel(p->low, 0.00088810691951057664, "ci95 low");
  expect_rel(p->high, 0.0022118930804894234, "ci95 high");
  expect_rel(p->p_value, 0.0004955269406688666, "p-value");
  ASSERT_TRUE(p->correlation);
  expect_rel(*p->correlation, 0.94983622066964035, "Pearson r");
}

TEST(PairedT, ThreePairsByHand) {
  // d = {1, 2, 6}: mean 3, s = sqrt(7); half-width t_{0.975,2} sqrt(7/3) with the printed
  // t_{0.975,2} = 4.302653 (6 decimals) and the mpmath reference for the rest.
  const auto p = paired_t({3, 5, 10}, {2, 3, 4});
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->diff, 3.0);
  EXPECT_NEAR(p->sd_diff, std::sqrt(7.0), 1e-15);
  EXPECT_NEAR(p->high - 3.0, 4.302653 * std::sqrt(7.0 / 3.0), 1e-5);  // the table's rounding
  expect_rel(p->low, -3.5724106077284305, "ci95 low");
  expect_rel(p->high, 9.5724106077284305, "ci95 high");
  expect_rel(p->p_value, 0.18849732879931094, "p-value");
  expect_rel(*p->correlation, 0.97072534339415096, "Pearson r");
}

TEST(PairedT, NarrowerThanIndependentWhenCorrelated) {
  // The same data as if unpaired: Welch (mpmath) gives [-0.000457, +0.003557], p = 0.121;
  // pairing resolves the difference (p = 0.0005).
  const auto p = paired_t(kA, kB);
  EXPECT_LT(p->high - p->low, (0.0035570831678592358 + 0.00045708316785923582) / 3);
}

TEST(PairedT, EdgeCases) {
  EXPECT_FALSE(paired_t({1.0}, {2.0}));  // one pair: no spread to estimate
  EXPECT_THROW(paired_t({1.0, 2.0}, {1.0}), std::invalid_argument);
  EXPECT_THROW(paired_t({1.0, 2.0}, {1.0, 3.0}, 1.0), std::invalid_argument);
  // Constant differences: the interval is the point; p 0 for a difference, 1 for none.
  const auto shifted = paired_t({1, 2, 4}, {0, 1, 3});
  EXPECT_EQ(shifted->low, 1.0);
  EXPECT_EQ(shifted->high, 1.0);
  EXPECT_EQ(shifted->p_value, 0.0);
  EXPECT_EQ(paired_t({1, 2, 4}, {1, 2, 4})->p_value, 1.0);
  // No spread on one side: no correlation.
  EXPECT_FALSE(paired_t({1, 1, 1}, {0, 1, 3})->correlation);
}

TEST(StudentTTwoSidedP, PrintedTable) {
  // t_{0.975, 4} = 2.776445 and t_{0.995, 10} = 3.169273 (6 decimals): p = 0.05 and 0.01.
  EXPECT_NEAR(two_sided_p(2.776445, 4), 0.05, 1e-6);
  EXPECT_NEAR(two_sided_p(-3.169273, 10), 0.01, 1e-6);
  EXPECT_DOUBLE_EQ(two_sided_p(0.0, 3), 1.0);
}

}  // namespace
}  // namespace mixprec
