#pragma once
// Student's t distribution for compare's Welch interval. Since issue 22 these are thin
// wrappers over Boost.Math (boost/math/distributions/students_t.hpp, libboost-math-dev):
// the paired test and its power need the non-central t too, which only a library of that
// standing gets right in the tails, and one source of distributions is easier to trust than
// two. tests/sweep/student_t_test.cpp keeps pinning these against published tables.
namespace mixprec {

// I_x(a, b) for a, b > 0 and 0 <= x <= 1 (boost::math::ibeta).
double regularized_incomplete_beta(double a, double b, double x);

// P(T <= t) for T ~ t(dof), dof > 0 (not necessarily an integer: Welch's dof is not).
double student_t_cdf(double t, double dof);

// The t with P(T <= t) = p, for 0 < p < 1 and dof > 0. Throws std::invalid_argument
// outside that domain.
double student_t_quantile(double p, double dof);

}  // namespace mixprec
