// grad_norm and all_finite on fp32, fp16 and bf16 gradient buffers.
// Norms of small integers are exact in double (sqrt of a perfect square is exact), so
// those use EXPECT_EQ; others state their tolerance.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "optim/grad_norm.hpp"

namespace mixprec {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

template <class T>
std::vector<T> as(const std::vector<float>& v) {
  std::vector<T> out;
  for (float x : v) out.push_back(from_float<T>(x));
  return out;
}

template <class T>
double norm_of(const std::vector<float>& v, float mult) {
  const std::vector<T> g = as<T>(v);
  return grad_norm(g.data(), FormatOf<T>::value, g.size(), mult);
}

template <class T>
bool finite(const std::vector<float>& v) {
  const std::vector<T> g = as<T>(v);
  return all_finite(g.data(), FormatOf<T>::value, g.size());
}

TEST(GradNorm, PythagoreanTriplesInEveryFormat) {
  // sqrt(3^2 + 4^2 + 12^2) = 13; all three values are exact in fp16 and bf16.
  const std::vector<float> v = {3.0f, -4.0f, 12.0f};
  EXPECT_EQ(norm_of<float>(v, 1.0f), 13.0);
  EXPECT_EQ(norm_of<f16>(v, 1.0f), 13.0);
  EXPECT_EQ(norm_of<bf16>(v, 1.0f), 13.0);
  EXPECT_EQ(norm_of<float>({}, 1.0f), 0.0);
}

TEST(GradNorm, MultiplierUnscales) {
  // fp16 gradients scaled by 1024: (3072, 4096) * 2^-10 = (3, 4) -> 5 (exact).
  EXPECT_EQ(norm_of<f16>({3072.0f, 4096.0f}, 1.0f / 1024.0f), 5.0);
  EXPECT_EQ(norm_of<bf16>({3.0f, 4.0f}, 0.5f), 2.5);
}

TEST(GradNorm, SquaresAccumulateInDouble) {
  // 1e20^2 = 1e40 overflows fp32 but not double: sqrt(2e40 + 1) = sqrt(2) * 1e20.
  // Tolerance 1e-7 relative: 1e20f is 1e20 to within 3e-8 relative.
  const double n = norm_of<float>({1e20f, 1.0f, -1e20f}, 1.0f);
  EXPECT_NEAR(n, std::sqrt(2.0) * 1e20, 1e-7 * std::sqrt(2.0) * 1e20);
}

TEST(GradNorm, NonFiniteGradientsGiveANonFiniteNorm) {
  EXPECT_EQ(norm_of<f16>({1.0f, kInf}, 1.0f), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(norm_of<bf16>({1.0f, kNan}, 1.0f)));
  EXPECT_TRUE(std::isnan(norm_of<float>({kNan, 2.0f}, 1.0f)));
}

TEST(AllFinite, DetectsInfAndNanInEveryFormat) {
  EXPECT_TRUE(finite<float>({0.0f, -1.0f, 3.4e38f}));
  EXPECT_TRUE(finite<f16>({0.0f, -1.0f, 65504.0f}));  // largest finite fp16
  EXPECT_TRUE(finite<bf16>({0.0f, -1.0f, 3.38e38f}));
  EXPECT_TRUE(finite<float>({}));
  for (float bad : {kInf, -kInf, kNan}) {
    EXPECT_FALSE(finite<float>({1.0f, bad, 2.0f})) << bad;
    EXPECT_FALSE(finite<f16>({1.0f, 2.0f, bad})) << bad;
    EXPECT_FALSE(finite<bf16>({bad, 1.0f, 2.0f})) << bad;
  }
  // 65520 overflows fp16 to inf (NUMERICS.md), which is what the loss scaler must see.
  EXPECT_FALSE(finite<f16>({65520.0f}));
  EXPECT_TRUE(finite<bf16>({65520.0f}));
}

// Runs fn() with `threads` OpenMP threads.
template <class Fn>
auto with_threads(int threads, Fn fn) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  auto result = fn();
  omp_set_num_threads(saved);
  return result;
}

template <class T>
void check_norm_of_many_values() {
  // Three full blocks of 4096 and a partial one, so the parallel partition is exercised.
  constexpr std::size_t n = 3 * 4096 + 123;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 100.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  const std::vector<T> g = as<T>(v);
  const float mult = 0.37f;  // not a power of two: the fp32 product rounds
  const double norm = with_threads(1, [&] { return grad_norm(g.data(), FormatOf<T>::value, n, mult); });
  // Fixed blocks combined in block order: the same bits on any thread count.
  for (int threads : {2, 3, 5}) {
    const double other =
        with_threads(threads, [&] { return grad_norm(g.data(), FormatOf<T>::value, n, mult); });
    EXPECT_EQ(std::memcmp(&norm, &other, sizeof norm), 0) << threads << " threads: " << other;
  }
  // Independent reference: the same fp32 products, squared and summed sequentially in long
  // double. Tolerance 1e-13 relative: each partial sum of non-negative terms passes through
  // at most 512 + 3 + 4 double additions (one lane, the lane tree, the block sum), each
  // off by at most 2^-53 relative, so the sum is within 519 * 1.1e-16 = 5.8e-14.
  long double sum = 0.0L;
  for (std::size_t i = 0; i < n; ++i) {
    const long double x = to_float(g[i]) * mult;
    sum += x * x;
  }
  const double expected = static_cast<double>(std::sqrt(sum));
  EXPECT_NEAR(norm, expected, 1e-13 * expected);
}

TEST(GradNorm, ManyValuesIndependentOfThreadCountInEveryFormat) {
  check_norm_of_many_values<float>();
  check_norm_of_many_values<f16>();
  check_norm_of_many_values<bf16>();
}

template <class T>
void check_finite_scan() {
  // Several of the scan's 16384-value blocks; one bad value at the edges of the array and
  // of a block, on 1 and 2 threads.
  constexpr std::size_t n = 3 * 16384 + 5;
  std::vector<T> g(n, from_float<T>(1.0f));
  for (int threads : {1, 2}) {
    EXPECT_TRUE(with_threads(threads, [&] { return all_finite(g.data(), FormatOf<T>::value, n); }));
    for (std::size_t at : {std::size_t{0}, std::size_t{16383}, std::size_t{16384}, n - 1}) {
      for (float bad : {kInf, -kInf, kNan}) {
        g[at] = from_float<T>(bad);
        EXPECT_FALSE(
            with_threads(threads, [&] { return all_finite(g.data(), FormatOf<T>::value, n); }))
            << "at " << at << ": " << bad << ", " << threads << " threads";
        g[at] = from_float<T>(1.0f);
      }
    }
  }
}

TEST(AllFinite, ScansManyValuesInEveryFormat) {
  check_finite_scan<float>();
  check_finite_scan<f16>();
  check_finite_scan<bf16>();
}

}  // namespace
}  // namespace mixprec
