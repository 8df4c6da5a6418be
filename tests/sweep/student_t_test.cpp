// Student t CDF and quantile against printed tables and closed forms (src/sweep/student_t.hpp).
#include "sweep/student_t.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace mixprec {
namespace {

// Printed tables give 6 decimals, so 1e-5 covers their rounding (5e-7) with room; the
// implementation itself is good to about 1e-9.
constexpr double kTableTol = 1e-5;

TEST(StudentTQuantile, MatchesPrintedTable) {
  struct Row { double p, dof, t; };
  const Row rows[] = {
      {0.975, 1, 12.706205}, {0.975, 2, 4.302653}, {0.975, 3, 3.182446}, {0.975, 4, 2.776445},
      {0.975, 5, 2.570582},  {0.975, 10, 2.228139}, {0.975, 30, 2.042272}, {0.95, 5, 2.015048},
      {0.995, 3, 5.840909},  {0.9, 1, 3.077684},    {0.99, 20, 2.527977}, {0.999, 2, 22.327125},
  };
  for (const Row& r : rows) {
    EXPECT_NEAR(student_t_quantile(r.p, r.dof), r.t, kTableTol) << "p=" << r.p << " dof=" << r.dof;
    EXPECT_NEAR(student_t_quantile(1 - r.p, r.dof), -r.t, kTableTol) << "lower tail, dof=" << r.dof;
  }
  EXPECT_EQ(student_t_quantile(0.5, 7), 0.0);
  // dof -> infinity tends to the normal quantile 1.959964 (the t_1e6 excess is ~2.4e-6).
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.959964, kTableTol);
}

TEST(StudentTQuantile, ClosedFormsForOneAndTwoDof) {
  // dof 1 is the Cauchy distribution: t = tan(pi (p - 1/2)); dof 2: t = (2p - 1) / sqrt(2p(1-p)).
  // Both exact, so the tolerance is the bisection's, relative to |t|.
  for (double p : {0.55, 0.6, 0.75, 0.9, 0.975, 0.99, 0.999}) {
    const double cauchy = std::tan(M_PI * (p - 0.5));
    EXPECT_NEAR(student_t_quantile(p, 1), cauchy, 1e-9 * std::max(1.0, cauchy)) << p;
    const double two = (2 * p - 1) / std::sqrt(2 * p * (1 - p));
    EXPECT_NEAR(student_t_quantile(p, 2), two, 1e-9 * std::max(1.0, two)) << p;
  }
}

TEST(StudentTQuantile, NonIntegerDofRoundTripsAndLiesBetween) {
  // Welch's dof is fractional: the quantile must invert the CDF there too and fall
  // between its integer neighbours (the t quantile decreases as dof grows).
  for (double dof : {1.5, 2.5, 2.941176, 7.3, 55.5}) {
    const double t = student_t_quantile(0.975, dof);
    EXPECT_NEAR(student_t_cdf(t, dof), 0.975, 1e-12) << dof;
    EXPECT_LT(t, student_t_quantile(0.975, std::floor(dof)));
    EXPECT_GT(t, student_t_quantile(0.975, std::ceil(dof)));
  }
}

TEST(StudentTQuantile, RejectsOutsideDomain) {
  EXPECT_THROW(student_t_quantile(0.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.9, 0), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(NAN, 3), std::invalid_argument);
}

TEST(StudentTCdf, KnownValues) {
  EXPECT_DOUBLE_EQ(student_t_cdf(0, 3), 0.5);
  // dof 1: 1/2 + atan(t)/pi, exact.
  EXPECT_NEAR(student_t_cdf(1.0, 1), 0.75, 1e-14);
  EXPECT_NEAR(student_t_cdf(-3.0, 1), 0.5 + std::atan(-3.0) / M_PI, 1e-14);
  EXPECT_NEAR(student_t_cdf(2.776445, 4), 0.975, 1e-6);  // table value, 6 decimals
}

TEST(IncompleteBeta, ClosedForms) {
  // I_x(1,1) = x; I_x(a,1) = x^a; I_x(1,b) = 1 - (1-x)^b; I_{1/2}(a,a) = 1/2. Exact, so the
  // tolerance is the continued fraction's (1e-14 relative, here absolute at values <= 1).
  for (double x : {0.0, 0.1, 0.37, 0.5, 0.9, 1.0}) {
    EXPECT_NEAR(regularized_incomplete_beta(1, 1, x), x, 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(3.5, 1, x), std::pow(x, 3.5), 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(1, 2.5, x), 1 - std::pow(1 - x, 2.5), 1e-14);
  }
  for (double a : {0.5, 2.0, 7.5, 40.0}) EXPECT_NEAR(regularized_incomplete_beta(a, a, 0.5), 0.5, 1e-13);
  EXPECT_THROW(regularized_incomplete_beta(0, 1, 0.5), std::invalid_argument);
  EXPECT_THROW(regularized_incomplete_beta(1, 1, 1.5), std::invalid_argument);
}

}  // namespace
}  // namespace mixprec
