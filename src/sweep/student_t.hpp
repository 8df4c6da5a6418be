#pragma once
// Student's t distribution, written out so that compare needs no statistics library:
// the CDF through the regularized incomplete beta function (continued fraction, modified
// Lentz; Numerical Recipes 3rd ed. section 6.4) and the quantile by bisection on it.
namespace mixprec {

// I_x(a, b) for a, b > 0 and 0 <= x <= 1; accurate to about 1e-14 relative.
double regularized_incomplete_beta(double a, double b, double x);

// P(T <= t) for T ~ t(dof), dof > 0 (not necessarily an integer: Welch's dof is not).
double student_t_cdf(double t, double dof);

// The t with P(T <= t) = p, for 0 < p < 1 and dof > 0; absolute error below 1e-9 for
// |t| < 1e3. Throws std::invalid_argument outside that domain.
double student_t_quantile(double p, double dof);

}  // namespace mixprec
