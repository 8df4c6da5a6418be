// Mean, sample std and the Welch interval against hand-computed values
// (src/sweep/summary_stats.hpp).
#include "sweep/summary_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace mixprec {
namespace {

TEST(MeanStd, SampleStandardDeviation) {
  // {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, squared deviations sum to 32, sample variance 32/7.
  const MeanStd s = mean_std({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(s.n, 8);
  EXPECT_DOUBLE_EQ(*s.mean, 5.0);
  EXPECT_NEAR(*s.std, std::sqrt(32.0 / 7.0), 1e-15);
  const MeanStd one = mean_std({3.5});
  EXPECT_DOUBLE_EQ(*one.mean, 3.5);
  EXPECT_FALSE(one.std);  // undefined for one value, not 0
  EXPECT_FALSE(mean_std({}).mean);
}

TEST(Welch, EqualVariancesGiveTwiceNMinusOneDof) {
  // a = {0.90, 0.92, 0.94}, b = {0.86, 0.88, 0.90}: both s^2 = 0.0004, n = 3, so
  // se^2 = 2 * 0.0004 / 3, dof = 2 (n - 1) = 4, t_{0.975,4} = 2.776445 (table).
  const auto w = welch_interval({0.90, 0.92, 0.94}, {0.86, 0.88, 0.90});
  ASSERT_TRUE(w && w->dof);
  const double se = std::sqrt(2 * 0.0004 / 3);
  EXPECT_NEAR(w->diff, 0.04, 1e-12);
  EXPECT_NEAR(*w->dof, 4.0, 1e-9);
  // Tolerance: the table's 6 decimals (5e-7) times se (0.016) is below 1e-8.
  EXPECT_NEAR(w->low, 0.04 - 2.776445 * se, 1e-8);
  EXPECT_NEAR(w->high, 0.04 + 2.776445 * se, 1e-8);
  EXPECT_NEAR(w->high, 0.0853392, 1e-7);  // by hand: 0.04 + 2.776445 * 0.01632993
}

TEST(Welch, TwoRunsEachGiveTwoDof) {
  // a = {0.90, 0.94}, b = {0.87, 0.91}: s^2 = 0.0008 each, se^2 = 0.0008, dof 2,
  // t_{0.975,2} = 4.302653: half-width 4.302653 * 0.02828427 = 0.1216974.
  const auto w = welch_interval({0.90, 0.94}, {0.87, 0.91});
  ASSERT_TRUE(w && w->dof);
  EXPECT_NEAR(w->diff, 0.03, 1e-12);
  EXPECT_NEAR(*w->dof, 2.0, 1e-9);
  EXPECT_NEAR(w->high - w->diff, 0.1216974, 1e-7);
  EXPECT_NEAR(w->diff - w->low, 0.1216974, 1e-7);
}

TEST(Welch, UnequalVariancesSatterthwaite) {
  // a = {0.90, 0.92, 0.94} (s^2 = 4e-4), b = {0.88, 0.89, 0.90} (s^2 = 1e-4), n = 3:
  // va = 4/3e-4, vb = 1/3e-4; dof = (5/3)^2 / ((16/9 + 1/9) / 2) = 50/17.
  const auto w = welch_interval({0.90, 0.92, 0.94}, {0.88, 0.89, 0.90});
  ASSERT_TRUE(w && w->dof);
  EXPECT_NEAR(*w->dof, 50.0 / 17.0, 1e-12);
  EXPECT_NEAR(w->diff, 0.03, 1e-12);
  // Half-width over se is the t quantile at dof 50/17, between the table's dof 2 and 3.
  const double t = (w->high - w->diff) / std::sqrt(5.0 / 3.0 * 1e-4);
  EXPECT_GT(t, 3.182446);
  EXPECT_LT(t, 4.302653);
}

TEST(Welch, DegenerateCases) {
  EXPECT_FALSE(welch_interval({0.9}, {0.8, 0.85}));  // one run: no variance
  const auto same = welch_interval({0.9, 0.9}, {0.8, 0.8});  // no spread at all
  ASSERT_TRUE(same);
  EXPECT_FALSE(same->dof);
  EXPECT_NEAR(same->low, 0.1, 1e-12);
  EXPECT_NEAR(same->high, 0.1, 1e-12);
}

}  // namespace
}  // namespace mixprec
