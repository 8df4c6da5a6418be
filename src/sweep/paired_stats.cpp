#include "sweep/paired_stats.hpp"

#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>

#include "sweep/summary_stats.hpp"

namespace mixprec {

double two_sided_p(double t, double dof) {
  const boost::math::students_t dist(dof);
  // The upper tail directly (cdf of the complement): 1 - cdf would lose small p-values.
  return 2.0 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
}

std::optional<double> pearson_correlation(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("pearson_correlation: samples of different sizes");
  if (a.size() < 2) return std::nullopt;
  const double ma = *mean_std(a).mean, mb = *mean_std(b).mean;
  double saa = 0, sbb = 0, sab = 0;  // centred sums: two passes, as mean_std
  for (std::size_t i = 0; i < a.size(); ++i) {
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
    sab += (a[i] - ma) * (b[i] - mb);
  }
  if (saa == 0 || sbb == 0) return std::nullopt;
  return sab / std::sqrt(saa * sbb);
}

std::optional<PairedT> paired_t(const std::vector<double>& a, const std::vector<double>& b,
                                double confidence) {
  if (a.size() != b.size()) throw std::invalid_argument("paired_t: samples of different sizes");
  if (!(confidence > 0 && confidence < 1)) throw std::invalid_argument("paired_t: need 0 < confidence < 1");
  if (a.size() < 2) return std::nullopt;
  std::vector<double> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
  const MeanStd s = mean_std(d);
  PairedT out;
  out.n = s.n;
  out.diff = *s.mean;
  out.sd_diff = *s.std;
  out.dof = out.n - 1;
  out.correlation = pearson_correlation(a, b);
  out.low = out.high = out.diff;
  if (out.sd_diff == 0) {
    out.p_value = out.diff == 0 ? 1.0 : 0.0;
    return out;
  }
  const double se = out.sd_diff / std::sqrt(static_cast<double>(out.n));
  const double t_crit = boost::math::quantile(boost::math::students_t(out.dof), 0.5 + confidence / 2.0);
  out.low = out.diff - t_crit * se;
  out.high = out.diff + t_crit * se;
  out.p_value = two_sided_p(out.diff / se, out.dof);
  return out;
}

}  // namespace mixprec
