// Lost updates in 16-bit weights (NUMERICS.md "Statistics"), and the properties of step()
// that the trainer relies on: bit-identical across thread counts, no allocation.
#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <stdexcept>
#include <vector>

#include "optim/optimizer.hpp"
#include "support/count_allocations.hpp"  // this binary's operator new

namespace mixprec {
namespace {

std::uint16_t bits(bf16 x) { return Eigen::numext::bit_cast<std::uint16_t>(x); }

OptimizerConfig plain_sgd() {
  OptimizerConfig c;
  c.kind = OptimizerKind::kSgd;
  c.momentum = 0.0;
  return c;
}

TEST(UpdateStats, UpdatesBelowHalfAnUlpOfABf16WeightAreLost) {
  // bf16 has 8 significant bits: above 1 the spacing is 2^-7, so 1 + x rounds back to 1
  // for x <= 2^-8 (exactly 2^-8 is a tie, and 1 has the even mantissa). lr = 1, w -= g:
  //   w = 1,   g = -2^-9  -> 1.001953125 -> 1          lost
  //   w = 1,   g = -2^-6  -> 1.015625    -> 1.015625   kept (representable)
  //   w = 1,   g = -2^-8  -> 1.00390625  -> 1          lost (tie to even)
  //   w = 1,   g = 0      -> 1           not an update, not counted
  //   w = 256, g = -1     -> 257 -> 256 (spacing 2 at 256; tie to even)   lost
  std::vector<bf16> w = {bf16(1.0f), bf16(1.0f), bf16(1.0f), bf16(1.0f), bf16(256.0f)};
  const std::vector<bf16> g = {bf16(-0.001953125f), bf16(-0.015625f), bf16(-0.00390625f),
                               bf16(0.0f), bf16(-1.0f)};
  Optimizer opt(plain_sgd(), w.size(), Format::kBf16, Format::kBf16, Format::kBf16);
  UpdateStats stats;
  opt.step(w.data(), g.data(), 1.0f, 1.0f, &stats);
  EXPECT_EQ(stats.nonzero_updates, 4u);
  EXPECT_EQ(stats.lost_updates, 3u);
  EXPECT_EQ(bits(w[0]), 0x3F80u);  // 1
  EXPECT_EQ(bits(w[1]), 0x3F82u);  // 1 + 2*2^-7
  EXPECT_EQ(bits(w[2]), 0x3F80u);
  EXPECT_EQ(bits(w[3]), 0x3F80u);
  EXPECT_EQ(bits(w[4]), 0x4380u);  // 256

  // step() adds to the counters: a second identical step loses the same three updates
  // (w[1] goes on to 1 + 4*2^-7, still representable).
  opt.step(w.data(), g.data(), 1.0f, 1.0f, &stats);
  EXPECT_EQ(stats.nonzero_updates, 8u);
  EXPECT_EQ(stats.lost_updates, 6u);
  EXPECT_EQ(bits(w[1]), 0x3F84u);
}

TEST(UpdateStats, Fp32WeightsLoseNothingAndAreNotCounted) {
  // The same update on fp32 weights (the mixed modes' master copy) is kept exactly, and
  // the counters are left alone.
  std::vector<float> w = {1.0f};
  const std::vector<bf16> g = {bf16(-0.001953125f)};
  Optimizer opt(plain_sgd(), w.size(), Format::kF32, Format::kBf16, Format::kF32);
  UpdateStats stats;
  opt.step(w.data(), g.data(), 1.0f, 1.0f, &stats);
  EXPECT_EQ(w[0], 1.001953125f);
  EXPECT_EQ(stats.nonzero_updates, 0u);
  EXPECT_EQ(stats.lost_updates, 0u);
}

// Runs `steps` Adam steps with fp16 weights/state and `threads` OpenMP threads.
std::vector<f16> run_adam(int threads, int steps) {
  constexpr std::size_t n = 10007;  // not a multiple of any thread count or vector width
  std::mt19937 rng(42);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<f16> w(n), g(n);
  for (auto& x : w) x = f16(dist(rng));
  for (auto& x : g) x = f16(dist(rng) * 0.01f);
  OptimizerConfig c;
  c.kind = OptimizerKind::kAdamW;
  c.weight_decay = 0.01;
  Optimizer opt(c, n, Format::kF16, Format::kF16, Format::kF16);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  for (int s = 0; s < steps; ++s) opt.step(w.data(), g.data(), 1e-3f, 1.0f);
  omp_set_num_threads(saved);
  return w;
}

TEST(Optimizer, BitIdenticalAcrossThreadCounts) {
  const std::vector<f16> one = run_adam(1, 3);
  for (int threads : {2, 3}) {
    const std::vector<f16> many = run_adam(threads, 3);
    EXPECT_EQ(std::memcmp(one.data(), many.data(), one.size() * sizeof(f16)), 0)
        << threads << " threads";
  }
}

TEST(Optimizer, StepDoesNotAllocate) {
  std::vector<float> w(1000, 1.0f), g(1000, 0.5f);
  for (OptimizerKind kind : {OptimizerKind::kSgd, OptimizerKind::kAdam, OptimizerKind::kAdamW}) {
    OptimizerConfig c;
    c.kind = kind;
    Optimizer opt(c, w.size(), Format::kF32, Format::kF32, Format::kF32);
    UpdateStats stats;
    opt.step(w.data(), g.data(), 0.1f, 1.0f, &stats);  // warm the OpenMP thread pool
    EXPECT_EQ(testing::allocations_during([&] { opt.step(w.data(), g.data(), 0.1f, 1.0f, &stats); }),
              0);
  }
}

TEST(Optimizer, StateBytesFollowTheStateFormat) {
  OptimizerConfig sgd;
  sgd.kind = OptimizerKind::kSgd;
  sgd.momentum = 0.9;
  EXPECT_EQ(Optimizer(sgd, 10, Format::kF32, Format::kF32, Format::kF32).state_bytes(), 40u);
  EXPECT_EQ(Optimizer(sgd, 10, Format::kBf16, Format::kBf16, Format::kBf16).state_bytes(), 20u);
  OptimizerConfig adam;
  adam.kind = OptimizerKind::kAdam;
  EXPECT_EQ(Optimizer(adam, 10, Format::kF32, Format::kF16, Format::kF32).state_bytes(), 80u);
  EXPECT_EQ(Optimizer(adam, 10, Format::kF16, Format::kF16, Format::kF16).state_bytes(), 40u);
}

TEST(Optimizer, RestoredStepCountDrivesTheBiasCorrection) {
  // After set_steps_taken(1) and restored moments m = 0.05, v = 0.00025 (step 1 of
  // AdamTest.TwoStepsByHand), step 2 with g = 0.1 gives the same 0.0803040956 update.
  OptimizerConfig c;
  c.kind = OptimizerKind::kAdam;
  Optimizer opt(c, 1, Format::kF32, Format::kF32, Format::kF32);
  auto buffers = opt.state_buffers();
  const float m = 0.05f, v = 0.00025f;
  std::memcpy(buffers[0].bytes.data(), &m, sizeof m);
  std::memcpy(buffers[1].bytes.data(), &v, sizeof v);
  opt.set_steps_taken(1);
  std::vector<float> w = {0.900000002f};
  const std::vector<float> g = {0.1f};
  opt.step(w.data(), g.data(), 0.1f, 1.0f);
  EXPECT_EQ(opt.steps_taken(), 2);
  EXPECT_NEAR(w[0], 0.8196959064, 1e-6 * 0.8196959064);
}

// Mixed modes: the working copy written during the update must be exactly the rounding of
// the new fp32 master (what a separate cast would give), for SGD and Adam, on sizes that
// leave partial blocks.
template <typename T>
void expect_copy_is_rounded_master(OptimizerKind kind) {
  const std::size_t n = 3 * 512 + 37;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(n), w_ref(n);
  std::vector<T> g(n), copy(n, T(0.0f));
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = w_ref[i] = normal(rng);
    g[i] = T(normal(rng));
  }
  OptimizerConfig c;
  c.kind = kind;
  c.momentum = 0.9;
  const Format f = FormatOf<T>::value;
  Optimizer with_copy(c, n, Format::kF32, f, Format::kF32);
  Optimizer without(c, n, Format::kF32, f, Format::kF32);
  for (int step = 0; step < 3; ++step) {
    with_copy.step(w.data(), g.data(), 0.01f, 0.5f, nullptr, copy.data());
    without.step(w_ref.data(), g.data(), 0.01f, 0.5f);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(w[i], w_ref[i]) << "the copy must not change the master update, " << i;
      ASSERT_EQ(Eigen::numext::bit_cast<std::uint16_t>(copy[i]),
                Eigen::numext::bit_cast<std::uint16_t>(T(w[i])))
          << "step " << step << " element " << i;
    }
  }
}

TEST(Optimizer, WorkingCopyIsTheRoundedMasterSgdBf16) {
  expect_copy_is_rounded_master<bf16>(OptimizerKind::kSgd);
}
TEST(Optimizer, WorkingCopyIsTheRoundedMasterAdamF16) {
  expect_copy_is_rounded_master<f16>(OptimizerKind::kAdam);
}

TEST(Optimizer, WorkingCopyNeedsFp32WeightsAndSixteenBitGradients) {
  std::vector<float> w(4, 1.0f), g(4, 1.0f), copy(4);
  Optimizer fp32(plain_sgd(), 4, Format::kF32, Format::kF32, Format::kF32);
  EXPECT_THROW(fp32.step(w.data(), g.data(), 0.1f, 1.0f, nullptr, copy.data()), std::logic_error);
}

}  // namespace
}  // namespace mixprec
