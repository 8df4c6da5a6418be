// torch.optim.SGD semantics on 2-3 parameters, two steps each, numbers worked by hand.
// Tolerance: 1e-6 relative. Each element goes through < 10 fp32 operations, each off by at
// most half an fp32 ulp (6e-8 relative), and the expected values are exact decimals.
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

OptimizerConfig sgd(double momentum, double dampening = 0.0, bool nesterov = false,
                    double weight_decay = 0.0) {
  OptimizerConfig c;
  c.kind = OptimizerKind::kSgd;
  c.momentum = momentum;
  c.dampening = dampening;
  c.nesterov = nesterov;
  c.weight_decay = weight_decay;
  return c;
}

Optimizer fp32_optimizer(const OptimizerConfig& c, std::size_t n) {
  return Optimizer(c, n, Format::kF32, Format::kF32, Format::kF32);
}

TEST(Sgd, PlainStepIsLrTimesGrad) {
  // w -= 0.1 * g with g = (0.5, 0.25, -1):
  // step 1: (1 - 0.05, -2 - 0.025, 0.5 + 0.1) = (0.95, -2.025, 0.6)
  // step 2: (0.9, -2.05, 0.7)
  std::vector<float> w = {1.0f, -2.0f, 0.5f};
  const std::vector<float> g = {0.5f, 0.25f, -1.0f};
  Optimizer opt = fp32_optimizer(sgd(0.0), w.size());
  EXPECT_EQ(opt.state_bytes(), 0u);  // PyTorch keeps no buffer without momentum
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.95, -2.025, 0.6});
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.9, -2.05, 0.7});
  EXPECT_EQ(opt.steps_taken(), 2);
}

TEST(Sgd, MomentumBufferStartsAtTheFirstGradient) {
  // mu = 0.9, lr = 0.1, g = (0.5, 0.25) twice.
  // step 1: b = g = (0.5, 0.25); w = (1 - 0.05, -2 - 0.025) = (0.95, -2.025)
  // step 2: b = 0.9*b + g = (0.95, 0.475); w = (0.95 - 0.095, -2.025 - 0.0475) = (0.855, -2.0725)
  std::vector<float> w = {1.0f, -2.0f};
  const std::vector<float> g = {0.5f, 0.25f};
  Optimizer opt = fp32_optimizer(sgd(0.9), w.size());
  EXPECT_EQ(opt.state_bytes(), 2 * sizeof(float));
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.95, -2.025});
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.855, -2.0725});
}

TEST(Sgd, DampeningIsNotAppliedOnTheFirstStep) {
  // mu = 0.9, dampening = 0.5, lr = 0.1, g = (0.5, 0.25) twice.
  // step 1: b = g (no dampening, as PyTorch clones the gradient); w = (0.95, -2.025)
  // step 2: b = 0.9*b + 0.5*g = (0.45 + 0.25, 0.225 + 0.125) = (0.7, 0.35)
  //         w = (0.95 - 0.07, -2.025 - 0.035) = (0.88, -2.06)
  std::vector<float> w = {1.0f, -2.0f};
  const std::vector<float> g = {0.5f, 0.25f};
  Optimizer opt = fp32_optimizer(sgd(0.9, 0.5), w.size());
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.95, -2.025});
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.88, -2.06});
}

TEST(Sgd, NesterovLooksAheadAlongTheBuffer) {
  // mu = 0.9, lr = 0.1, g = (0.5, 0.25) twice; d = g + mu*b.
  // step 1: b = (0.5, 0.25); d = (0.5 + 0.45, 0.25 + 0.225) = (0.95, 0.475)
  //         w = (1 - 0.095, -2 - 0.0475) = (0.905, -2.0475)
  // step 2: b = (0.95, 0.475); d = (0.5 + 0.855, 0.25 + 0.4275) = (1.355, 0.6775)
  //         w = (0.905 - 0.1355, -2.0475 - 0.06775) = (0.7695, -2.11525)
  std::vector<float> w = {1.0f, -2.0f};
  const std::vector<float> g = {0.5f, 0.25f};
  Optimizer opt = fp32_optimizer(sgd(0.9, 0.0, true), w.size());
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.905, -2.0475});
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.7695, -2.11525});
}

TEST(Sgd, WeightDecayIsAddedToTheGradient) {
  // wd = 0.01, lr = 0.1, no momentum, g = (0.5, 0.25) twice; d = g + 0.01*w.
  // step 1: d = (0.5 + 0.01, 0.25 - 0.02) = (0.51, 0.23); w = (0.949, -2.023)
  // step 2: d = (0.5 + 0.00949, 0.25 - 0.02023) = (0.50949, 0.22977)
  //         w = (0.949 - 0.050949, -2.023 - 0.022977) = (0.898051, -2.045977)
  std::vector<float> w = {1.0f, -2.0f};
  const std::vector<float> g = {0.5f, 0.25f};
  Optimizer opt = fp32_optimizer(sgd(0.0, 0.0, false, 0.01), w.size());
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.949, -2.023});
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  expect_rel(w, {0.898051, -2.045977});
}

TEST(Sgd, GradMultiplierScalesTheGradientButNotTheDecay) {
  // fp16 gradients as a loss scale of 1024 leaves them: (1024, 512); multiplier 1/1024
  // gives g = (1, 0.5). wd = 0.01, lr = 0.1: d = (1 + 0.01, 0.5 - 0.02) = (1.01, 0.48)
  // w = (1 - 0.101, -2 - 0.048) = (0.899, -2.048)
  std::vector<float> w = {1.0f, -2.0f};
  const std::vector<f16> g = {f16(1024.0f), f16(512.0f)};
  Optimizer opt(sgd(0.0, 0.0, false, 0.01), w.size(), Format::kF32, Format::kF16, Format::kF32);
  opt.step(w.data(), g.data(), 0.1f, 1.0f / 1024.0f);
  expect_rel(w, {0.899, -2.048});
}

TEST(Sgd, SixteenBitMomentumBufferIsStoredRoundedAndReadBackRounded) {
  // g = 1/3 (fp32 bits 0x3EAAAAAB). Step 1 stores b = bf16(1/3): the low half 0xAAAB is
  // above the midpoint 0x8000, so it rounds up to 0x3EAB = 0.333984375.
  // Step 2 reads that value: b = 0.9 * 0.333984375 + 1/3 = 0.634,  bf16 -> 0x3F22 (0.6328125)
  // w after step 2 (lr = 1): 0 - 1/3 - 0.6339193... = -0.9672526...
  std::vector<float> w = {0.0f};
  const std::vector<float> g = {1.0f / 3.0f};
  Optimizer opt(sgd(0.9), 1, Format::kF32, Format::kF32, Format::kBf16);
  EXPECT_EQ(opt.state_bytes(), 2u);
  auto buffers = opt.state_buffers();
  ASSERT_EQ(buffers.size(), 1u);
  EXPECT_EQ(buffers[0].name, "momentum_buffer");
  EXPECT_EQ(buffers[0].format, Format::kBf16);
  opt.step(w.data(), g.data(), 1.0f, 1.0f);
  const bf16* b = reinterpret_cast<const bf16*>(buffers[0].bytes.data());
  EXPECT_EQ(Eigen::numext::bit_cast<std::uint16_t>(b[0]), 0x3EABu);
  opt.step(w.data(), g.data(), 1.0f, 1.0f);
  const double b2 = 0.9 * 0.333984375 + 1.0 / 3.0;  // 0.6339192708...
  EXPECT_NEAR(w[0], -(1.0 / 3.0 + b2), 1e-6);
  EXPECT_EQ(Eigen::numext::bit_cast<std::uint16_t>(b[0]), 0x3F22u);
}

TEST(Sgd, RejectsWhatPyTorchRejects) {
  EXPECT_THROW(fp32_optimizer(sgd(0.9, 0.1, true), 1), UserError);  // nesterov + dampening
  EXPECT_THROW(fp32_optimizer(sgd(0.0, 0.0, true), 1), UserError);  // nesterov, no momentum
  EXPECT_THROW(fp32_optimizer(sgd(-0.1), 1), UserError);
  EXPECT_THROW(fp32_optimizer(sgd(0.9, 0.0, false, -1e-4), 1), UserError);
}

}  // namespace
}  // namespace mixprec
