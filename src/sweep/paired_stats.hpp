#pragma once
// Two samples measured on the same units (here: runs that share a seed, and so their
// initialisation and data order): the t interval and test on the per-pair differences
// d_i = a_i - b_i, and the correlation between a and b that makes pairing pay. With
// correlation r and equal spreads s, var(d) = 2 s^2 (1 - r): r = 0.87 leaves a quarter
// of the variance that the Welch interval, which ignores the pairing, has to cover.
#include <optional>
#include <vector>

namespace mixprec {

struct PairedT {
  int n = 0;           // pairs
  double diff = 0;     // mean of d
  double sd_diff = 0;  // sample standard deviation of d (n - 1)
  double dof = 0;      // n - 1
  // diff -+ t_{(1+confidence)/2, n-1} * sd_diff / sqrt(n); the point when sd_diff = 0.
  double low = 0;
  double high = 0;
  // Two-sided, H0: E[d] = 0, from t = diff / (sd_diff / sqrt(n)) with n - 1 dof (SciPy's
  // ttest_rel). With sd_diff = 0: 1 if diff = 0, else 0 (SciPy returns NaN there).
  double p_value = 1;
  std::optional<double> correlation;  // Pearson r of a and b; none if either has no spread
};

// nullopt for fewer than 2 pairs (no spread to estimate). a[i] and b[i] are one pair;
// std::invalid_argument if the sizes differ or confidence is not in (0, 1).
std::optional<PairedT> paired_t(const std::vector<double>& a, const std::vector<double>& b,
                                double confidence = 0.95);

// Pearson's r; nullopt for fewer than 2 values or when either sample has zero spread.
std::optional<double> pearson_correlation(const std::vector<double>& a, const std::vector<double>& b);

// Two-sided p-value of a t statistic with `dof` degrees of freedom: 2 P(T > |t|).
double two_sided_p(double t, double dof);

}  // namespace mixprec
