// The remedies of NUMERICS.md "Beyond nearest rounding" in the optimizer: Kahan-compensated
// updates (hand-computed steps), stochastic rounding of 16-bit weights (frequency, the mean,
// thread count), the statistics that tell them apart, and the compensation buffer's bytes.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "common/error.hpp"
#include "optim/optimizer.hpp"
#include "precision/round_loops.hpp"

namespace mixprec {
namespace {

OptimizerConfig plain_sgd(Compensation compensation = Compensation::kNone) {
  OptimizerConfig c;
  c.kind = OptimizerKind::kSgd;
  c.momentum = 0.0;
  c.compensation = compensation;
  return c;
}

template <typename T>
float value(T x) {
  return static_cast<float>(x);
}

// One bf16 weight at 1.0, 1000 steps of w += 2^-10 (lr 2^-10, gradient -1): an eighth of
// bf16's ulp at 1 (2^-7), below half an ulp, so nearest loses every update.
TEST(KahanCompensation, RecoversEveryUpdateNearestLoses) {
  const std::vector<bf16> grad = {bf16(-1.0f)};
  std::vector<bf16> nearest_w = {bf16(1.0f)}, kahan_w = {bf16(1.0f)};
  Optimizer nearest(plain_sgd(), 1, Format::kBf16, Format::kBf16, Format::kBf16);
  Optimizer kahan(plain_sgd(Compensation::kKahan), 1, Format::kBf16, Format::kBf16, Format::kBf16);
  const auto c = [&] {
    bf16 x;
    std::memcpy(&x, kahan.state_buffers().back().bytes.data(), 2);
    return value(x);
  };
  // By hand: y = 2^-10 - c; t = round(1 + y); c = (t - w) - y.
  //   steps 1-4: y = 1, 2, 3, 4 x 2^-10 (4 x 2^-10 is half an ulp: ties to even 1.0),
  //              t = 1, c = -y;
  //   step 5:    y = 5 x 2^-10 > half an ulp: t = 1 + 2^-7, c = 2^-7 - 5 x 2^-10 = 3 x 2^-10.
  const float expected_c[] = {-0x1p-10f, -0x1p-9f, -0x3p-10f, -0x1p-8f, 0x3p-10f};
  for (int step = 0; step < 5; ++step) {
    kahan.step(kahan_w.data(), grad.data(), 0x1p-10f, 1.0f);
    EXPECT_EQ(value(kahan_w[0]), step < 4 ? 1.0f : 1.0f + 0x1p-7f) << "step " << step + 1;
    EXPECT_EQ(c(), expected_c[step]) << "step " << step + 1;
  }
  UpdateStats nearest_stats, kahan_stats;
  for (int step = 5; step < 1000; ++step) kahan.step(kahan_w.data(), grad.data(), 0x1p-10f, 1.0f, &kahan_stats);
  for (int step = 0; step < 1000; ++step)
    nearest.step(nearest_w.data(), grad.data(), 0x1p-10f, 1.0f, &nearest_stats);
  const double exact = 1.0 + 1000 * 0x1p-10;  // 1.9765625
  EXPECT_EQ(value(nearest_w[0]), 1.0f);       // every update lost
  EXPECT_LE(std::fabs(value(kahan_w[0]) - exact), 0x1p-7);  // within one ulp of the exact sum
  // The statistics: nearest lost all 1000 (error 1, bias -1); Kahan's stored weight moved
  // now and then, and what it applied sums to the intended updates within an ulp.
  EXPECT_EQ(nearest_stats.lost_updates, 1000u);
  EXPECT_DOUBLE_EQ(nearest_stats.error_abs / nearest_stats.intended_abs, 1.0);
  EXPECT_DOUBLE_EQ(nearest_stats.error_signed / nearest_stats.intended_abs, -1.0);
  EXPECT_LT(kahan_stats.lost_updates, 995u);
  EXPECT_LT(std::fabs(kahan_stats.error_signed / kahan_stats.intended_abs), 0.01);
}

// The same with fp16 (ulp 2^-10 at 1) and Adam, whose update is about lr each step.
TEST(KahanCompensation, Fp16WithAdam) {
  OptimizerConfig cfg;
  cfg.kind = OptimizerKind::kAdam;
  cfg.compensation = Compensation::kKahan;
  const std::vector<f16> grad = {f16(-1.0f)};
  std::vector<f16> w = {f16(1.0f)};
  Optimizer kahan(cfg, 1, Format::kF16, Format::kF16, Format::kF16);
  OptimizerConfig plain = cfg;
  plain.compensation = Compensation::kNone;
  std::vector<f16> w_nearest = {f16(1.0f)};
  Optimizer nearest(plain, 1, Format::kF16, Format::kF16, Format::kF16);
  for (int step = 0; step < 2000; ++step) {
    kahan.step(w.data(), grad.data(), 0x1p-13f, 1.0f);
    nearest.step(w_nearest.data(), grad.data(), 0x1p-13f, 1.0f);
  }
  EXPECT_EQ(value(w_nearest[0]), 1.0f);
  EXPECT_NEAR(value(w[0]), 1.0 + 2000 * 0x1p-13, 0x1p-10);  // Adam's step is lr here (m/sqrt(v) = 1)
}

// AdamW's decoupled decay goes through the same apply step: with Kahan the bf16 weight
// follows a run with fp32 weights (and the same bf16 moments) to within an ulp, where
// nearest never moves.
TEST(KahanCompensation, AdamWFollowsTheFp32Run) {
  OptimizerConfig cfg;
  cfg.kind = OptimizerKind::kAdamW;
  cfg.weight_decay = 0.01;
  cfg.compensation = Compensation::kKahan;
  OptimizerConfig plain = cfg;
  plain.compensation = Compensation::kNone;
  const std::vector<bf16> grad = {bf16(-1.0f)};
  const std::vector<float> grad32 = {-1.0f};
  std::vector<bf16> kahan_w = {bf16(1.0f)}, nearest_w = {bf16(1.0f)};
  std::vector<float> fp32_w = {1.0f};
  Optimizer kahan(cfg, 1, Format::kBf16, Format::kBf16, Format::kBf16);
  Optimizer nearest(plain, 1, Format::kBf16, Format::kBf16, Format::kBf16);
  Optimizer fp32(plain, 1, Format::kF32, Format::kF32, Format::kBf16);
  for (int step = 0; step < 500; ++step) {
    kahan.step(kahan_w.data(), grad.data(), 0x1p-11f, 1.0f);
    nearest.step(nearest_w.data(), grad.data(), 0x1p-11f, 1.0f);
    fp32.step(fp32_w.data(), grad32.data(), 0x1p-11f, 1.0f);
  }
  EXPECT_EQ(value(nearest_w[0]), 1.0f);
  EXPECT_GT(fp32_w[0], 1.2f);  // about 500 x 2^-11 up, less the decay
  EXPECT_LE(std::fabs(value(kahan_w[0]) - fp32_w[0]), 0x1p-7f);
}

// Stochastic rounding of the weights: 4096 bf16 weights at 1, one update of a quarter ulp
// (2^-9): a quarter of them move up (5 standard deviations); over 64 steps the mean follows
// the exact sum, where nearest stays at 1.
TEST(StochasticWeights, UnbiasedWhereNearestLosesEverything) {
  constexpr std::size_t n = 4096;
  const std::vector<bf16> grad(n, bf16(-1.0f));
  std::vector<bf16> w(n, bf16(1.0f));
  Optimizer opt(plain_sgd(), n, Format::kBf16, Format::kBf16, Format::kBf16, RoundingMode::kStochastic, 42);
  UpdateStats stats;
  opt.step(w.data(), grad.data(), 0x1p-9f, 1.0f, &stats);
  std::size_t up = 0;
  for (bf16 x : w) up += value(x) == 1.0f + 0x1p-7f;
  EXPECT_NEAR(double(up), n * 0.25, 5 * std::sqrt(n * 0.25 * 0.75));
  EXPECT_EQ(stats.lost_updates, n - up);
  for (int step = 1; step < 64; ++step) opt.step(w.data(), grad.data(), 0x1p-9f, 1.0f, &stats);
  double mean = 0;
  for (bf16 x : w) mean += value(x);
  mean /= n;
  EXPECT_NEAR(mean, 1.0 + 64 * 0x1p-9, 0.005);  // exact 1.125; nearest would give 1.0
  EXPECT_LT(std::fabs(stats.error_signed / stats.intended_abs), 0.05);  // unbiased
  EXPECT_GT(stats.error_abs / stats.intended_abs, 0.5);                 // but noisy
}

// Momentum state rounds stochastically too, and the result does not depend on the number
// of threads (keys are element indices, not thread positions).
TEST(StochasticWeights, SameBitsForOneAndTwoThreads) {
  constexpr std::size_t n = 100003;
  std::vector<bf16> grad(n);
  for (std::size_t i = 0; i < n; ++i) grad[i] = bf16(std::sin(float(i)) * 1e-2f);
  OptimizerConfig cfg = plain_sgd(Compensation::kKahan);
  cfg.momentum = 0.9;
  auto run = [&](int threads) {
    omp_set_num_threads(threads);
    std::vector<bf16> w(n, bf16(0.5f));
    Optimizer opt(cfg, n, Format::kBf16, Format::kBf16, Format::kBf16, RoundingMode::kStochastic, 7);
    UpdateStats stats;
    for (int step = 0; step < 5; ++step) opt.step(w.data(), grad.data(), 1e-3f, 1.0f, &stats);
    std::vector<std::byte> all(n * 2);
    std::memcpy(all.data(), w.data(), n * 2);
    for (const OptimizerStateBuffer& b : opt.state_buffers()) all.insert(all.end(), b.bytes.begin(), b.bytes.end());
    return std::make_pair(all, stats.error_abs);
  };
  const auto one = run(1), two = run(2);
  omp_set_num_threads(2);
  EXPECT_TRUE(one.first == two.first);
  EXPECT_EQ(one.second, two.second);  // the statistics are summed in block order too
}

// Memory: Kahan's c is one value of the weights' format per parameter, a buffer of its own;
// fp32 weights round nothing, so asking for a remedy there is an error.
TEST(KahanCompensation, BufferBytesAndWhereItApplies) {
  OptimizerConfig cfg = plain_sgd(Compensation::kKahan);
  cfg.momentum = 0.9;
  Optimizer bf(cfg, 1000, Format::kBf16, Format::kBf16, Format::kBf16);
  EXPECT_EQ(bf.state_bytes(), 2000u);         // momentum_buffer
  EXPECT_EQ(bf.compensation_bytes(), 2000u);  // kahan_compensation
  EXPECT_EQ(bf.state_buffers().back().name, "kahan_compensation");
  Optimizer half(cfg, 999, Format::kF16, Format::kF16, Format::kF16);
  EXPECT_EQ(half.compensation_bytes(), 1998u);
  Optimizer none(plain_sgd(), 1000, Format::kBf16, Format::kBf16, Format::kBf16);
  EXPECT_EQ(none.compensation_bytes(), 0u);
  EXPECT_THROW(Optimizer(cfg, 10, Format::kF32, Format::kBf16, Format::kF32), UserError);
  EXPECT_THROW(Optimizer(plain_sgd(), 10, Format::kF32, Format::kF32, Format::kF32, RoundingMode::kStochastic),
               UserError);
}

}  // namespace
}  // namespace mixprec
