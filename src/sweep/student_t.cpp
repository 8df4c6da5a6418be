#include "sweep/student_t.hpp"

#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>

namespace mixprec {

// Boost reports domain errors as std::domain_error; the checks here keep this header's
// promise of std::invalid_argument, which callers and tests rely on.

double regularized_incomplete_beta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
    throw std::invalid_argument("regularized_incomplete_beta: need a, b > 0 and 0 <= x <= 1");
  return boost::math::ibeta(a, b, x);
}

double student_t_cdf(double t, double dof) {
  if (!(dof > 0)) throw std::invalid_argument("student_t_cdf: need dof > 0");
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::students_t(dof), t);
}

double student_t_quantile(double p, double dof) {
  if (!(p > 0) || !(p < 1) || !(dof > 0))
    throw std::invalid_argument("student_t_quantile: need 0 < p < 1 and dof > 0");
  return boost::math::quantile(boost::math::students_t(dof), p);
}

}  // namespace mixprec
