// torch.optim.Adam / AdamW semantics on 2 parameters, two steps, numbers worked by hand
// (lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8). Tolerance: 1e-6 relative, the same
// argument as for SGD (a dozen fp32 operations per element, each within 6e-8 relative).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.hpp"
#include "optim/optimizer.hpp"

namespace mixprec {
namespace {

void expect_rel(const std::vector<float>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-6 * std::abs(expected[i])) << "element " << i;
}

OptimizerConfig adam(OptimizerKind kind, double weight_decay) {
  OptimizerConfig c;
  c.kind = kind;
  c.beta1 = 0.9;
  c.beta2 = 0.999;
  c.eps = 1e-8;
  c.weight_decay = weight_decay;
  return c;
}

const std::vector<float> kGrad1 = {0.5f, -0.25f};
const std::vector<float> kGrad2 = {0.1f, 0.5f};

TEST(Adam, TwoStepsByHand) {
  // Step 1 (t = 1): m = 0.1 g, v = 0.001 g^2, so mhat = g, vhat = g^2 and the step is
  //   lr * g / (|g| + eps) = 0.1 * sign(g) * (1 - eps/|g|):
  //   w = (1 - 0.099999998, -2 + 0.099999996) = (0.900000002, -1.900000004)
  // Step 2 (t = 2): bias corrections 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999.
  //   w0: g = 0.1: m = 0.045 + 0.01 = 0.055, v = 0.00024975 + 0.00001 = 0.00025975
  //       mhat = 0.2894736842, vhat = 0.1299399700, sqrt = 0.3604718713
  //       step = 0.1 * 0.2894736842 / 0.3604718713 = 0.0803040956 -> w = 0.8196959064
  //   w1: g = 0.5: m = -0.0225 + 0.05 = 0.0275, v = 0.0000624375 + 0.00025 = 0.0003124375
  //       mhat = 0.1447368421, vhat = 0.1562968984, sqrt = 0.3953440254
  //       step = 0.0366103518 -> w = -1.9366103558
  std::vector<float> w = {1.0f, -2.0f};
  Optimizer opt(adam(OptimizerKind::kAdam, 0.0), w.size(), Format::kF32, Format::kF32,
                Format::kF32);
  EXPECT_EQ(opt.state_bytes(), 2 * 2 * sizeof(float));
  opt.step(w.data(), kGrad1.data(), 0.1f, 1.0f);
  expect_rel(w, {0.900000002, -1.900000004});
  opt.step(w.data(), kGrad2.data(), 0.1f, 1.0f);
  expect_rel(w, {0.8196959064, -1.9366103558});

  // The stored moments after step 2 are the m and v above.
  auto buffers = opt.state_buffers();
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0].name, "exp_avg");
  EXPECT_EQ(buffers[1].name, "exp_avg_sq");
  const float* m = reinterpret_cast<const float*>(buffers[0].bytes.data());
  const float* v = reinterpret_cast<const float*>(buffers[1].bytes.data());
  EXPECT_NEAR(m[0], 0.055, 1e-6 * 0.055);
  EXPECT_NEAR(m[1], 0.0275, 1e-6 * 0.0275);
  EXPECT_NEAR(v[0], 0.00025975, 1e-6 * 0.00025975);
  EXPECT_NEAR(v[1], 0.0003124375, 1e-6 * 0.0003124375);
}

TEST(Adam, WeightDecayIsL2OnTheGradient) {
  // wd = 0.1: g' = g + 0.1 w.
  // Step 1: g' = (0.5 + 0.1, -0.25 - 0.2) = (0.6, -0.45); the first step is still
  //   0.1 * sign * (1 - eps/|g'|): w = (0.9000000017, -1.9000000022)
  //   m = (0.06, -0.045), v = (0.00036, 0.0002025)
  // Step 2: w0: g' = 0.1 + 0.09 = 0.19: m = 0.054 + 0.019 = 0.073,
  //   v = 0.00035964 + 0.0000361 = 0.00039574; mhat = 0.3842105263, vhat = 0.1979689845,
  //   sqrt = 0.4449370568, step = 0.0863516562 -> w = 0.8136483454
  //   w1: g' = 0.5 - 0.19 = 0.31: m = -0.0405 + 0.031 = -0.0095,
  //   v = 0.0002022975 + 0.0000961 = 0.0002983975; mhat = -0.05, vhat = 0.1492733867,
  //   sqrt = 0.3863591420, step = -0.0129413267 -> w = -1.8870586755
  std::vector<float> w = {1.0f, -2.0f};
  Optimizer opt(adam(OptimizerKind::kAdam, 0.1), w.size(), Format::kF32, Format::kF32,
                Format::kF32);
  opt.step(w.data(), kGrad1.data(), 0.1f, 1.0f);
  expect_rel(w, {0.9000000017, -1.9000000022});
  opt.step(w.data(), kGrad2.data(), 0.1f, 1.0f);
  expect_rel(w, {0.8136483454, -1.8870586755});
}

TEST(AdamW, DecayIsDecoupledAndAppliedFirst) {
  // wd = 0.1: w *= 1 - lr*wd = 0.99 first, then the plain Adam step (same m, v as above).
  // Step 1: w = (0.99 - 0.099999998, -1.98 + 0.099999996) = (0.890000002, -1.880000004)
  // Step 2: w0 = 0.890000002 * 0.99 - 0.0803040956 = 0.8007959064
  //         w1 = -1.880000004 * 0.99 - 0.0366103518 = -1.8978103557
  std::vector<float> w = {1.0f, -2.0f};
  Optimizer opt(adam(OptimizerKind::kAdamW, 0.1), w.size(), Format::kF32, Format::kF32,
                Format::kF32);
  opt.step(w.data(), kGrad1.data(), 0.1f, 1.0f);
  expect_rel(w, {0.890000002, -1.880000004});
  opt.step(w.data(), kGrad2.data(), 0.1f, 1.0f);
  expect_rel(w, {0.8007959064, -1.8978103557});
}

TEST(Adam, GradMultiplierAppliesBeforeTheMoments) {
  // bf16 gradients (128, -64) with multiplier 1/256 are g = (0.5, -0.25): same as step 1
  // of TwoStepsByHand. Plain Adam's first step does not depend on |g|, so check the moments:
  // m = 0.1 g = (0.05, -0.025), v = 0.001 g^2 = (0.00025, 0.0000625).
  std::vector<float> w = {1.0f, -2.0f};
  const std::vector<bf16> g = {bf16(128.0f), bf16(-64.0f)};
  Optimizer opt(adam(OptimizerKind::kAdam, 0.0), w.size(), Format::kF32, Format::kBf16,
                Format::kF32);
  opt.step(w.data(), g.data(), 0.1f, 1.0f / 256.0f);
  expect_rel(w, {0.900000002, -1.900000004});
  auto buffers = opt.state_buffers();
  const float* m = reinterpret_cast<const float*>(buffers[0].bytes.data());
  const float* v = reinterpret_cast<const float*>(buffers[1].bytes.data());
  EXPECT_NEAR(m[0], 0.05, 1e-6 * 0.05);
  EXPECT_NEAR(m[1], -0.025, 1e-6 * 0.025);
  EXPECT_NEAR(v[0], 0.00025, 1e-6 * 0.00025);
  EXPECT_NEAR(v[1], 0.0000625, 1e-6 * 0.0000625);
}

TEST(Adam, SixteenBitStateHoldsRoundedMoments) {
  // fp16-true: weights, gradients and moments in fp16. g = 0.5: m = 0.05, v = 0.00025,
  // both stored as their nearest fp16 (0.05 -> 0x2A66, 0.00025 -> 0x0C19; checked
  // against the fp16 table: 0x2A66 = 1638/32768 = 0.0499878, 0x0C19 = 1049*2^-22).
  std::vector<f16> w = {f16(1.0f)};
  const std::vector<f16> g = {f16(0.5f)};
  Optimizer opt(adam(OptimizerKind::kAdam, 0.0), 1, Format::kF16, Format::kF16, Format::kF16);
  EXPECT_EQ(opt.state_bytes(), 2u * 2u);
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  auto buffers = opt.state_buffers();
  EXPECT_EQ(buffers[0].format, Format::kF16);
  const f16* m = reinterpret_cast<const f16*>(buffers[0].bytes.data());
  const f16* v = reinterpret_cast<const f16*>(buffers[1].bytes.data());
  EXPECT_EQ(Eigen::numext::bit_cast<std::uint16_t>(m[0]), 0x2A66u);
  EXPECT_EQ(Eigen::numext::bit_cast<std::uint16_t>(v[0]), 0x0C19u);
  // w = 1 - 0.099999998 = 0.9 in fp32 -> fp16 0x3B33 (0.89990234375).
  EXPECT_EQ(Eigen::numext::bit_cast<std::uint16_t>(w[0]), 0x3B33u);
}

TEST(Adam, RejectsWhatPyTorchRejects) {
  OptimizerConfig c = adam(OptimizerKind::kAdam, 0.0);
  c.beta1 = 1.0;
  EXPECT_THROW(Optimizer(c, 1, Format::kF32, Format::kF32, Format::kF32), UserError);
  c = adam(OptimizerKind::kAdamW, 0.0);
  c.beta2 = -0.5;
  EXPECT_THROW(Optimizer(c, 1, Format::kF32, Format::kF32, Format::kF32), UserError);
  c = adam(OptimizerKind::kAdam, 0.0);
  c.eps = -1e-8;
  EXPECT_THROW(Optimizer(c, 1, Format::kF32, Format::kF32, Format::kF32), UserError);
}

}  // namespace
}  // namespace mixprec
