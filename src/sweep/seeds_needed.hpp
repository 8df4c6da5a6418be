#pragma once
// How many seeds (pairs of runs) a paired comparison needs to resolve a difference of a
// given size, from the spread of the per-seed differences seen so far.
#include <optional>

namespace mixprec {

// Power of the two-sided paired t-test at level alpha with n pairs, when the true mean
// difference is `effect` and the differences have standard deviation `sd_diff`:
//   nu = n - 1, lambda = effect * sqrt(n) / sd_diff, c = t_{1 - alpha/2, nu},
//   power = P(|T'| > c) = 1 - F(c; nu, lambda) + F(-c; nu, lambda),
// with T' non-central t (nu, lambda) and F its CDF (Cohen 1988, ch. 2; what G*Power and
// R's power.t.test(type = "paired", strict = TRUE) compute). n >= 2, sd_diff > 0.
double paired_t_power(int n, double effect, double sd_diff, double alpha = 0.05);

// The smallest n >= 2 with paired_t_power(n) >= power; nullopt above max_n. 2 when
// sd_diff = 0 (no spread: any difference shows with the fewest pairs a t-test allows).
// std::invalid_argument for effect <= 0, sd_diff < 0, or alpha, power outside (0, 1).
std::optional<int> seeds_needed(double effect, double sd_diff, double alpha = 0.05,
                                double power = 0.8, int max_n = 1000000);

}  // namespace mixprec
