// The fused element-wise passes around a layer's product against a one-value-at-a-time
// reference built from the scalar rounding (format.hpp's from_float, pinned bit for bit by
// convert_test), on values that include NaN, infinities, signed zeros, subnormals, values
// that underflow or overflow in the 16-bit formats, and rows and widths with tails. Each
// pass runs on the calling thread alone and shared among a team of threads (the way
// nn/mlp.cpp calls it): same bits, same counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "kernels/activation.hpp"
#include "precision/convert.hpp"
#include "kernels/linear_epilogue.hpp"

namespace mixprec {
namespace {

constexpr int kBatch = 37, kOut = 300;  // 300: a block of 256 columns and a tail of 44

// Mostly ordinary values, with every special case sprinkled in.
std::vector<float> tricky_values(std::size_t n, std::uint32_t seed) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> specials = {std::nanf(""), inf, -inf, 0.0f, -0.0f,
                                       1e-40f,        -1e-40f, 3e-45f,  -3e-45f,
                                       1e-8f,         -1e-8f,  70000.0f, -70000.0f,
                                       3.4e38f,       -3.4e38f, 1.00390625f /* bf16 tie */};
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = i % 7 == 3 ? specials[(i / 7) % specials.size()] : normal(rng);
  return v;
}

template <typename T>
std::vector<T> rounded(const std::vector<float>& v) {
  std::vector<T> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = from_float<T>(v[i]);
  return out;
}

// Same bits, or both NaN (the payload of a quiet NaN is not part of the contract).
template <typename T>
bool same(T a, T b) {
  const float fa = to_float(a), fb = to_float(b);
  if (std::isnan(fa) || std::isnan(fb)) return std::isnan(fa) && std::isnan(fb);
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <typename T>
std::size_t differences(const std::vector<T>& a, const std::vector<T>& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) n += !same(a[i], b[i]);
  return n;
}

bool operator==(const RoundStats& a, const RoundStats& b) {
  return a.values == b.values && a.nonzero == b.nonzero && a.underflow == b.underflow &&
         a.overflow == b.overflow && a.nonfinite == b.nonfinite;
}

// Runs f() on this thread alone, or with every thread of a team of two calling it.
template <class F>
void run(bool team, const F& f) {
  if (team) {
#pragma omp parallel num_threads(2)
    f();
  } else {
    f();
  }
}

template <typename T>
class EpilogueTest : public ::testing::Test {};
using Formats = ::testing::Types<float, bf16, f16>;
TYPED_TEST_SUITE(EpilogueTest, Formats);

TYPED_TEST(EpilogueTest, BiasActivationForwardMatchesTheScalarReference) {
  using T = TypeParam;
  const std::size_t n = std::size_t(kBatch) * kOut;
  const std::vector<float> acc = tricky_values(n, 1);
  const std::vector<T> bias = rounded<T>(tricky_values(kOut, 2));
  for (Activation act : {Activation::kRelu, Activation::kTanh, Activation::kGelu}) {
    std::vector<T> z_ref(n), a_ref(n);
    for (int i = 0; i < kBatch; ++i) {
      for (int j = 0; j < kOut; ++j) {
        const std::size_t k = std::size_t(i) * kOut + j;
        z_ref[k] = from_float<T>(acc[k] + to_float(bias[std::size_t(j)]));
        a_ref[k] = from_float<T>(activation_forward(act, to_float(z_ref[k])));
      }
    }
    for (bool team : {false, true}) {
      for (bool keep_z : {true, false}) {  // without z, relu takes its one-rounding path
        std::vector<T> z(n), a(n);
        run(team, [&] {
          bias_activation_forward<T>(acc.data(), bias.data(), act, keep_z ? z.data() : nullptr,
                                     a.data(), kBatch, kOut);
        });
        EXPECT_EQ(differences(a, a_ref), 0u)
            << "act " << int(act) << " team " << team << " keep_z " << keep_z;
        if (keep_z) {
          EXPECT_EQ(differences(z, z_ref), 0u) << "act " << int(act);
        }
      }
    }
  }
}

TYPED_TEST(EpilogueTest, ActivationBackwardMatchesTheScalarReferenceWithItsCounts) {
  using T = TypeParam;
  const std::size_t n = std::size_t(kBatch) * kOut;
  const std::vector<float> acc = tricky_values(n, 3);
  const std::vector<T> saved = rounded<T>(tricky_values(n, 4));
  for (Activation act : {Activation::kRelu, Activation::kTanh, Activation::kGelu}) {
    // da = round(acc); dz = round(act'(saved) * da), each rounding counted.
    std::vector<T> da(n), dz_ref(n);
    std::vector<float> d(n);
    RoundStats expected;
    round_from_float<T>(acc.data(), da.data(), n, kNearestEven, &expected);
    for (std::size_t k = 0; k < n; ++k)
      d[k] = activation_derivative(act, to_float(saved[k])) * to_float(da[k]);
    round_from_float<T>(d.data(), dz_ref.data(), n, kNearestEven, &expected);
    if (std::is_same_v<T, float>) expected = {};  // fp32 rounds nothing and counts nothing
    for (bool team : {false, true}) {
      std::vector<T> dz(n);
      RoundStats stats;
      run(team, [&] {
        activation_backward<T>(acc.data(), saved.data(), act, dz.data(), kBatch, kOut, kNearestEven, &stats);
      });
      EXPECT_EQ(differences(dz, dz_ref), 0u) << "act " << int(act) << " team " << team;
      EXPECT_TRUE(stats == expected) << "act " << int(act) << " team " << team;
    }
  }
}

TYPED_TEST(EpilogueTest, BiasBackwardSumsEachColumnInRowOrder) {
  using T = TypeParam;
  const std::size_t n = std::size_t(kBatch) * kOut;
  const std::vector<T> dz = rounded<T>(tricky_values(n, 5));
  std::vector<float> sums(kOut, 0.0f);
  for (int i = 0; i < kBatch; ++i)
    for (int j = 0; j < kOut; ++j) sums[std::size_t(j)] += to_float(dz[std::size_t(i) * kOut + j]);
  std::vector<T> db_ref(kOut);
  RoundStats expected;
  round_from_float<T>(sums.data(), db_ref.data(), kOut, kNearestEven, &expected);
  if (std::is_same_v<T, float>) expected = {};  // fp32 rounds nothing and counts nothing
  for (bool team : {false, true}) {
    std::vector<T> db(kOut);
    RoundStats stats;
    run(team, [&] { bias_backward<T>(dz.data(), db.data(), kBatch, kOut, kNearestEven, &stats); });
    EXPECT_EQ(differences(db, db_ref), 0u) << "team " << team;
    EXPECT_TRUE(stats == expected) << "team " << team;
  }
}

}  // namespace
}  // namespace mixprec
