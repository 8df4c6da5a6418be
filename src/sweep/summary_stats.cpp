#include "sweep/summary_stats.hpp"

#include <cmath>

#include "sweep/student_t.hpp"

namespace mixprec {

MeanStd mean_std(const std::vector<double>& values) {
  MeanStd out;
  out.n = static_cast<int>(values.size());
  if (values.empty()) return out;
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / out.n;
  out.mean = mean;
  if (out.n >= 2) {
    double ss = 0;  // two passes: the textbook one-pass formula cancels badly
    for (double v : values) ss += (v - mean) * (v - mean);
    out.std = std::sqrt(ss / (out.n - 1));
  }
  return out;
}

std::optional<WelchInterval> welch_interval(const std::vector<double>& a,
                                            const std::vector<double>& b, double confidence) {
  if (a.size() < 2 || b.size() < 2) return std::nullopt;
  const MeanStd sa = mean_std(a), sb = mean_std(b);
  const double va = *sa.std * *sa.std / sa.n;  // variance of each mean
  const double vb = *sb.std * *sb.std / sb.n;
  WelchInterval w;
  w.diff = *sa.mean - *sb.mean;
  const double se2 = va + vb;
  if (se2 == 0.0) {
    w.low = w.high = w.diff;
    return w;
  }
  const double dof = se2 * se2 / (va * va / (sa.n - 1) + vb * vb / (sb.n - 1));
  const double half = student_t_quantile(0.5 + confidence / 2.0, dof) * std::sqrt(se2);
  w.dof = dof;
  w.low = w.diff - half;
  w.high = w.diff + half;
  return w;
}

}  // namespace mixprec
