// grad_norm and all_finite on fp32, fp16 and bf16 gradient buffers.
// Norms of small integers are exact in double (sqrt of a perfect square is exact), so
// those use EXPECT_EQ; others state their tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
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

}  // namespace
}  // namespace mixprec
