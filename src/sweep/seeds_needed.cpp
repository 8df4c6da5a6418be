#include "sweep/seeds_needed.hpp"

#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace mixprec {

double paired_t_power(int n, double effect, double sd_diff, double alpha) {
  if (n < 2 || !(sd_diff > 0) || !(alpha > 0 && alpha < 1))
    throw std::invalid_argument("paired_t_power: need n >= 2, sd_diff > 0 and 0 < alpha < 1");
  const double nu = n - 1;
  const double lambda = effect * std::sqrt(static_cast<double>(n)) / sd_diff;
  const double c = boost::math::quantile(boost::math::students_t(nu), 1.0 - alpha / 2.0);
  // T' = (Z + lambda) / sqrt(V / nu), V ~ chi2(nu). For lambda >= 100 c, T' < c needs
  // Z < -lambda / 2 or V / nu > (lambda / 2c)^2 >= 2500, each below 1e-500 even at nu = 1:
  // the power is 1 in double precision. Said here because Boost's series gives up
  // (rounding_error) from lambda ~ 1e5, which a near-zero spread of differences reaches.
  if (lambda >= 100 * c) return 1.0;
  const boost::math::non_central_t dist(nu, lambda);
  // Both tails: the far one (-c) is tiny for a real effect but belongs to the definition.
  return boost::math::cdf(boost::math::complement(dist, c)) + boost::math::cdf(dist, -c);
}

std::optional<int> seeds_needed(double effect, double sd_diff, double alpha, double power, int max_n) {
  if (!(effect > 0) || !(sd_diff >= 0) || !(alpha > 0 && alpha < 1) || !(power > 0 && power < 1))
    throw std::invalid_argument("seeds_needed: need effect > 0, sd_diff >= 0, 0 < alpha, power < 1");
  if (sd_diff == 0) return 2;
  auto enough = [&](int n) { return paired_t_power(n, effect, sd_diff, alpha) >= power; };
  if (enough(2)) return 2;
  // Power grows with n, so "iterate n until power >= target" is the first n where
  // enough(n) turns true: found by doubling, then bisection (a few dozen CDFs instead of
  // up to max_n; the answer is the same n).
  int lo = 2, hi = 4;  // enough(lo) is false
  while (!enough(hi)) {
    if (hi >= max_n) return std::nullopt;
    lo = hi;
    hi = hi > max_n / 2 ? max_n : 2 * hi;
  }
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (enough(mid) ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace mixprec
