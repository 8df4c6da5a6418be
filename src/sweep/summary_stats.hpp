#pragma once
// The statistics compare reports over the seeds of one setting.
#include <optional>
#include <vector>

namespace mixprec {

struct MeanStd {
  int n = 0;
  std::optional<double> mean;  // none for n = 0
  std::optional<double> std;   // sample standard deviation (n - 1); none for n < 2
};

MeanStd mean_std(const std::vector<double>& values);

// mean(a) - mean(b) with its Welch confidence interval: standard error
// sqrt(s_a^2/n_a + s_b^2/n_b), Welch-Satterthwaite degrees of freedom
//   dof = se^4 / ((s_a^2/n_a)^2/(n_a - 1) + (s_b^2/n_b)^2/(n_b - 1)),
// half-width t_{(1+confidence)/2, dof} * se.
struct WelchInterval {
  double diff = 0;
  double low = 0;
  double high = 0;
  std::optional<double> dof;  // none when both samples have zero spread (the interval is the point)
};

// nullopt when either sample has fewer than 2 values (no variance to estimate).
std::optional<WelchInterval> welch_interval(const std::vector<double>& a, const std::vector<double>& b,
                                            double confidence = 0.95);

}  // namespace mixprec
