// The shared apply step (optim/apply_update.hpp) and the update rules that feed it, on
// problems small enough to solve by hand. Every value below is exact in fp32 (powers of
// two and short sums of them), so the checks are exact: a tolerance would hide a changed
// rounding or a dropped factor.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "optim/apply_update.hpp"
#include "optim/optimizer.hpp"
#include "precision/round_loops.hpp"

namespace mixprec {
namespace {

std::uint16_t bits(bf16 x) { return Eigen::numext::bit_cast<std::uint16_t>(x); }

TEST(ApplyUpdate, OneSgdStepOnThreeValues) {
  // lr 0.5, no momentum: w - 0.5 * g.
  //   1    - 0.5 * 0.5  = 0.75
  //   -2   - 0.5 * 0.25 = -2.125
  //   0.75 - 0.5 * -1   = 1.25
  OptimizerConfig c;
  c.kind = OptimizerKind::kSgd;
  c.momentum = 0.0;
  std::vector<float> w = {1.0f, -2.0f, 0.75f};
  const std::vector<float> g = {0.5f, 0.25f, -1.0f};
  Optimizer opt(c, w.size(), Format::kF32, Format::kF32, Format::kF32);
  opt.step(w.data(), g.data(), 0.5f, 1.0f);
  EXPECT_EQ(w, (std::vector<float>{0.75f, -2.125f, 1.25f}));
}

// Step 1 of Adam with eps 0 and power-of-two gradients: m = 0.1*g, v = 0.001*g^2 and their
// bias corrections divide by the same fp32 factors again, so mhat = g, sqrt(vhat) = |g|
// exactly, and the update is lr * sign(g).
OptimizerConfig adam_eps0(OptimizerKind kind, double weight_decay) {
  OptimizerConfig c;
  c.kind = kind;
  c.eps = 0.0;
  c.weight_decay = weight_decay;
  return c;
}

TEST(ApplyUpdate, OneAdamStepOnThreeValues) {
  // lr 0.25: w - 0.25 * sign(g) = {1 - 0.25, -0.5 + 0.25, 3 - 0.25}.
  std::vector<float> w = {1.0f, -0.5f, 3.0f};
  const std::vector<float> g = {0.5f, -0.125f, 2.0f};
  Optimizer opt(adam_eps0(OptimizerKind::kAdam, 0.0), w.size(), Format::kF32, Format::kF32,
                Format::kF32);
  opt.step(w.data(), g.data(), 0.25f, 1.0f);
  EXPECT_EQ(w, (std::vector<float>{0.75f, -0.25f, 2.75f}));
}

TEST(ApplyUpdate, OneAdamWStepDecaysTheWeightFirst) {
  // lr 0.25, weight decay 0.5: the weight is multiplied by 1 - 0.125 = 0.875, then the
  // Adam update 0.25 * sign(g) is subtracted:
  //   1    * 0.875 - 0.25 = 0.625
  //   -0.5 * 0.875 + 0.25 = -0.1875
  //   3    * 0.875 - 0.25 = 2.375
  // Without the decay (a dropped weight_factor) this is the Adam result above.
  std::vector<float> w = {1.0f, -0.5f, 3.0f};
  const std::vector<float> g = {0.5f, -0.125f, 2.0f};
  Optimizer opt(adam_eps0(OptimizerKind::kAdamW, 0.5), w.size(), Format::kF32, Format::kF32,
                Format::kF32);
  opt.step(w.data(), g.data(), 0.25f, 1.0f);
  EXPECT_EQ(w, (std::vector<float>{0.625f, -0.1875f, 2.375f}));
}

// The update of each element as a rule would give it: here simply read from a table.
auto from_table(const std::vector<float>& u) {
  return [&u](std::int64_t i, float) { return u[std::size_t(i)]; };
}

TEST(ApplyUpdate, TheFormIsAppliedAsWritten) {
  // w_new = scale * u + w * weight_factor, with fp32 weights updated in place:
  //   -0.25 * 0.5 + 1    * 0.5 = 0.375
  //   -0.25 * 1   + -2   * 0.5 = -1.25
  //   -0.25 * -4  + 0.5  * 0.5 = 1.25
  std::vector<float> w = {1.0f, -2.0f, 0.5f};
  const std::vector<float> u = {0.5f, 1.0f, -4.0f};
  add_update(UpdateForm{-0.25f, 0.5f}, from_table(u), w.data(), w.data(), 3);
  EXPECT_EQ(w, (std::vector<float>{0.375f, -1.25f, 1.25f}));
  UpdateStats s;
  store_updated_weights(w.data(), w.data(), Format::kF32, w.data(), Format::kBf16, nullptr, WeightRounding{}, 0, 3, s);
  EXPECT_EQ(w, (std::vector<float>{0.375f, -1.25f, 1.25f}));  // already the storage
  EXPECT_EQ(s.nonzero_updates, 0u);  // fp32 weights are not counted
  EXPECT_EQ(s.lost_updates, 0u);
}

TEST(ApplyUpdate, TheRuleSeesEachWeightBeforeTheStep) {
  // update(i, w) = w: with scale -0.5 each weight is halved, in place and into a new block.
  std::vector<float> w = {2.0f, -8.0f, 3.0f};
  std::vector<float> w_new(3);
  const auto half = [](std::int64_t, float x) { return x; };
  add_update(UpdateForm{-0.5f, 1.0f}, half, w.data(), w_new.data(), 3);
  EXPECT_EQ(w_new, (std::vector<float>{1.0f, -4.0f, 1.5f}));
  EXPECT_EQ(w, (std::vector<float>{2.0f, -8.0f, 3.0f}));  // the old block is left alone
  add_update(UpdateForm{-0.5f, 1.0f}, half, w.data(), w.data(), 3);
  EXPECT_EQ(w, w_new);
}

TEST(ApplyUpdate, SgdRoundsLrTimesUpdatePlusWeightOnce) {
  // lr = fp32(1/3) = 0.3333333432674407958984375, d = 3: lr * d = 1 + 2^-25, which rounds
  // to 1 on its own. w = 1: one rounding of w - lr*d gives -2^-25 (exact); rounding the
  // product first gives 0. PyTorch's param.add_(d, alpha=-lr) fuses where the CPU has FMA;
  // builds without FMA round twice (optim/mul_add.hpp).
  std::vector<float> w = {1.0f};
  const std::vector<float> u = {3.0f};
  add_update(UpdateForm{-(1.0f / 3.0f), 1.0f}, from_table(u), w.data(), w.data(), 1);
#if defined(__FP_FAST_FMAF)
  EXPECT_EQ(w[0], -0x1p-25f);
#else
  EXPECT_EQ(w[0], 0.0f);
#endif
}

TEST(ApplyUpdate, CountsUpdatesBelowHalfAnUlpOfBf16WeightsAsLost) {
  // bf16 weights 1, 1, 256 (spacing 2^-8 below 1, 1 below 256), lr = 2^-10:
  //   1   - 2^-10 * 1 -> 0.9990234375, nearest bf16 1 (half an ulp below 1 is 2^-9)  lost
  //   1   - 2^-10 * 8 -> 0.9921875 = 1 - 2^-7, representable                         kept
  //   256 - 2^-10 * 4 -> 255.99609375, nearest bf16 256                               lost
  //   1   - 2^-10 * 0 -> 1: not an update, not counted
  // The block starts at element 2 of the stored weights; elements 0 and 1 stay as they are.
  std::vector<bf16> w = {bf16(5.0f), bf16(5.0f), bf16(1.0f), bf16(1.0f), bf16(256.0f), bf16(1.0f)};
  const std::vector<float> old = {1.0f, 1.0f, 256.0f, 1.0f};
  const std::vector<float> u = {1.0f, 8.0f, 4.0f, 0.0f};
  std::vector<float> w_new(4);
  add_update(UpdateForm{-0x1p-10f, 1.0f}, from_table(u), old.data(), w_new.data(), 4);
  UpdateStats s;
  store_updated_weights(w_new.data(), old.data(), Format::kBf16, w.data(), Format::kBf16, nullptr, WeightRounding{}, 2,
                        4, s);
  EXPECT_EQ(s.nonzero_updates, 3u);
  EXPECT_EQ(s.lost_updates, 2u);
  EXPECT_EQ(bits(w[0]), 0x40A0u);  // 5, untouched
  EXPECT_EQ(bits(w[1]), 0x40A0u);
  EXPECT_EQ(bits(w[2]), 0x3F80u);  // 1
  EXPECT_EQ(bits(w[3]), 0x3F7Eu);  // 1 - 2^-7
  EXPECT_EQ(bits(w[4]), 0x4380u);  // 256
  EXPECT_EQ(bits(w[5]), 0x3F80u);
}

TEST(ApplyUpdate, RewritesTheWorkingCopyFromTheNewMaster) {
  // New fp32 masters 1 + 2^-9 and 1 + 3*2^-9 (a quarter and three quarters of bf16's
  // spacing 2^-7 above 1) round to 1 and to 1 + 2^-7: the copy is the rounding of the new
  // master (the old one, 1, would give 1 for both).
  std::vector<float> w = {1.0f, 1.0f};
  const std::vector<float> u = {-0x1p-9f, -3 * 0x1p-9f};
  std::vector<bf16> copy = {bf16(0.0f), bf16(0.0f)};
  add_update(UpdateForm{-1.0f, 1.0f}, from_table(u), w.data(), w.data(), 2);
  UpdateStats s;
  store_updated_weights(w.data(), w.data(), Format::kF32, w.data(), Format::kBf16, copy.data(), WeightRounding{}, 0, 2, s);
  EXPECT_EQ(s.nonzero_updates, 0u);
  EXPECT_EQ(w, (std::vector<float>{1.0f + 0x1p-9f, 1.0f + 3 * 0x1p-9f}));
  EXPECT_EQ(bits(copy[0]), 0x3F80u);  // 1
  EXPECT_EQ(bits(copy[1]), 0x3F81u);  // 1 + 2^-7
}

}  // namespace
}  // namespace mixprec

namespace mixprec {
namespace {

// The -true modes' store with nearest rounding (one fused pass where the build has AVX-512)
// against the three steps it stands for, written out: round each value (from_float_array),
// read it back, and count with the sums kept per lane of 16, lane i mod 16, added in lane
// order. Random blocks of every length up to a block, with NaN, ties and lost updates.
// With Kahan's compensation c: y = (w_new - w) - c, t = round(w + y), c = round((t - w) - y).
template <typename W>
// With stochastic rounding, the rounding is round_into's, keyed from element 3 on.
void expect_store_matches_the_scalar_steps(bool kahan, RoundingMode mode = RoundingMode::kNearestEven) {
  Rounding rounding;
  rounding.mode = mode;
  rounding.seed = 17;
  rounding.step = 4;
  rounding.tensor = tensor_id::kWeights;
  std::uint32_t state = 12345;
  const auto next = [&] { return state = state * 1664525u + 1013904223u; };
  for (std::int64_t len : {1, 15, 16, 17, 100, 509, 512}) {
    std::vector<W> weights(static_cast<std::size_t>(len + 3));
    std::vector<float> w_old(static_cast<std::size_t>(len)), w_new(static_cast<std::size_t>(len));
    for (std::int64_t i = 0; i < len; ++i) {
      const W w(float(int(next() % 2001) - 1000) / 256.0f);
      weights[std::size_t(i + 3)] = w;
      w_old[i] = float(w);
      const float step = float(int(next() % 2001) - 1000) * 0x1p-16f;
      w_new[i] = len == 509 && i % 97 == 5 ? std::numeric_limits<float>::quiet_NaN() : w_old[i] + step;
    }
    std::vector<W> expected = weights, c(weights.size()), expected_c(weights.size());
    std::vector<float> back(static_cast<std::size_t>(len)), y(back.size()), sum(back.size());
    if (kahan) {
      for (std::size_t i = 0; i < c.size(); ++i) c[i] = W(float(int(next() % 201) - 100) * 0x1p-14f);
      for (std::int64_t i = 0; i < len; ++i) {
        y[i] = (w_new[i] - w_old[i]) - float(c[std::size_t(i + 3)]);
        sum[i] = w_old[i] + y[i];
      }
      round_into(sum.data(), expected.data() + 3, std::size_t(len), rounding.starting_at(3), nullptr);
    } else {
      round_into(w_new.data(), expected.data() + 3, std::size_t(len), rounding.starting_at(3), nullptr);
    }
    to_float_array(expected.data() + 3, back.data(), std::size_t(len));
    expected_c = c;
    if (kahan) {
      for (std::int64_t i = 0; i < len; ++i) sum[i] = (back[i] - w_old[i]) - y[i];
      from_float_array(sum.data(), expected_c.data() + 3, std::size_t(len));
    }
    std::uint64_t moved = 0, lost = 0;
    float intended[16] = {}, error[16] = {}, bias[16] = {};
    for (std::int64_t i = 0; i < len; ++i) {
      const bool m = w_new[i] != w_old[i];
      moved += m;
      lost += m && back[i] == w_old[i];
      const float d = w_new[i] - w_old[i], e = (back[i] - w_old[i]) - d;
      intended[i % 16] += std::fabs(d);
      error[i % 16] += std::fabs(e);
      bias[i % 16] += d > 0 ? e : (d < 0 ? -e : 0.0f);
    }
    UpdateStats want;
    for (int j = 0; j < 16; ++j) {
      want.intended_abs += intended[j];
      want.error_abs += error[j];
      want.error_signed += bias[j];
    }
    UpdateStats got;
    store_updated_weights(w_new.data(), w_old.data(), FormatOf<W>::value, weights.data(), Format::kF32,
                          nullptr, WeightRounding{rounding, kahan ? c.data() : nullptr}, 3, len, got);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      ASSERT_EQ(Eigen::numext::bit_cast<std::uint16_t>(weights[i]),
                Eigen::numext::bit_cast<std::uint16_t>(expected[i])) << "len " << len << " i " << i;
      ASSERT_EQ(Eigen::numext::bit_cast<std::uint16_t>(c[i]),
                Eigen::numext::bit_cast<std::uint16_t>(expected_c[i])) << "len " << len << " i " << i;
    }
    EXPECT_EQ(got.nonzero_updates, moved) << len;
    EXPECT_EQ(got.lost_updates, lost) << len;
    // NaN updates make the sums NaN in both; compare as bits of the doubles.
    EXPECT_EQ(std::isnan(got.intended_abs), std::isnan(want.intended_abs));
    if (!std::isnan(want.intended_abs)) {
      EXPECT_EQ(got.intended_abs, want.intended_abs) << len;
      EXPECT_EQ(got.error_abs, want.error_abs) << len;
      EXPECT_EQ(got.error_signed, want.error_signed) << len;
    }
  }
}

TEST(ApplyUpdate, NearestStoreOfBf16MatchesTheScalarSteps) { expect_store_matches_the_scalar_steps<bf16>(false); }
TEST(ApplyUpdate, NearestStoreOfFp16MatchesTheScalarSteps) { expect_store_matches_the_scalar_steps<f16>(false); }
TEST(ApplyUpdate, KahanStoreOfBf16MatchesTheScalarSteps) { expect_store_matches_the_scalar_steps<bf16>(true); }
TEST(ApplyUpdate, KahanStoreOfFp16MatchesTheScalarSteps) { expect_store_matches_the_scalar_steps<f16>(true); }
TEST(ApplyUpdate, StochasticStoreMatchesTheScalarSteps) {
  for (bool kahan : {false, true}) {
    expect_store_matches_the_scalar_steps<bf16>(kahan, RoundingMode::kStochastic);
    expect_store_matches_the_scalar_steps<f16>(kahan, RoundingMode::kStochastic);
  }
}

}  // namespace
}  // namespace mixprec
