// Learning-rate schedules at known steps. base lr 0.1, 100 steps per epoch, 1000 steps.
// Tolerance: 1e-12 relative; everything is computed in double from exact inputs, with a
// pow or cos call (correctly rounded to within an ulp or two, 2.2e-16 each).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "common/error.hpp"
#include "optim/schedule.hpp"

namespace mixprec {
namespace {

constexpr double kLr = 0.1;
constexpr std::int64_t kPerEpoch = 100;
constexpr std::int64_t kTotal = 1000;

double lr_at(const ScheduleConfig& s, std::int64_t step) {
  return learning_rate(s, kLr, step, kPerEpoch, kTotal);
}

#define EXPECT_LR(actual, expected) EXPECT_NEAR(actual, expected, 1e-12 * std::abs(expected))

TEST(Schedule, ConstantIsTheBaseRate) {
  ScheduleConfig s;
  s.kind = ScheduleKind::kConstant;
  EXPECT_LR(lr_at(s, 0), 0.1);
  EXPECT_LR(lr_at(s, 999), 0.1);
}

TEST(Schedule, WarmupRampsLinearlyToTheBaseRate) {
  // warmup_epochs 0.5 -> W = 50 steps: lr * (step + 1) / 50.
  ScheduleConfig s;
  s.kind = ScheduleKind::kConstant;
  s.warmup_epochs = 0.5;
  EXPECT_EQ(warmup_steps(s, kPerEpoch), 50);
  EXPECT_LR(lr_at(s, 0), 0.1 / 50);    // first step: lr / W, never 0
  EXPECT_LR(lr_at(s, 24), 0.1 * 25 / 50);
  EXPECT_LR(lr_at(s, 49), 0.1);        // last warm-up step reaches lr
  EXPECT_LR(lr_at(s, 50), 0.1);
}

TEST(Schedule, WarmupStepsRoundHalfAwayFromZero) {
  // 0.25 epochs of 10 steps = 2.5 (exact in binary) -> 3; 0.2 * 10 -> 2; 0.01 * 10 -> 0.
  ScheduleConfig s;
  s.warmup_epochs = 0.25;
  EXPECT_EQ(warmup_steps(s, 10), 3);
  s.warmup_epochs = 0.2;
  EXPECT_EQ(warmup_steps(s, 10), 2);
  s.warmup_epochs = 0.01;
  EXPECT_EQ(warmup_steps(s, 10), 0);
  EXPECT_LR(learning_rate(s, kLr, 0, 10, 100), 0.1);  // no warm-up at all
}

TEST(Schedule, StepDecaysAtEpochBoundaries) {
  // step_epochs 3, gamma 0.1: epochs 0-2 -> 0.1, 3-5 -> 0.01, 6-8 -> 0.001, 9 -> 1e-4.
  ScheduleConfig s;
  s.kind = ScheduleKind::kStep;
  s.step_epochs = 3;
  s.gamma = 0.1;
  EXPECT_LR(lr_at(s, 0), 0.1);
  EXPECT_LR(lr_at(s, 299), 0.1);  // last step of epoch 2
  EXPECT_LR(lr_at(s, 300), 0.1 * 0.1);
  EXPECT_LR(lr_at(s, 599), 0.1 * 0.1);
  EXPECT_LR(lr_at(s, 600), 0.1 * 0.1 * 0.1);
  EXPECT_LR(lr_at(s, 999), 0.1 * 0.1 * 0.1 * 0.1);
}

TEST(Schedule, CosineGoesFromLrToMinLr) {
  // min_lr 0.001: lr(t) = 0.001 + 0.099 * (1 + cos(pi t / 1000)) / 2.
  ScheduleConfig s;
  s.kind = ScheduleKind::kCosine;
  s.min_lr = 0.001;
  EXPECT_LR(lr_at(s, 0), 0.1);
  EXPECT_LR(lr_at(s, 250), 0.001 + 0.099 * (1 + std::sqrt(0.5)) / 2);  // 0.08550178...
  EXPECT_LR(lr_at(s, 500), 0.001 + 0.099 / 2);                          // cos(pi/2) = 0
  EXPECT_LR(lr_at(s, 750), 0.001 + 0.099 * (1 - std::sqrt(0.5)) / 2);
  // Last step: (1 + cos(0.999 pi)) / 2 = sin^2(0.0005 pi) = 2.4674e-6.
  const double s999 = std::sin(0.0005 * std::acos(-1.0));
  EXPECT_LR(lr_at(s, 999), 0.001 + 0.099 * s999 * s999);
  EXPECT_LR(lr_at(s, 1000), 0.001);  // past the end: min_lr
}

TEST(Schedule, CosineStartsAfterTheWarmup) {
  // warm-up 1 epoch = 100 steps, then cosine over T = 900 steps (t = step - 100).
  ScheduleConfig s;
  s.kind = ScheduleKind::kCosine;
  s.warmup_epochs = 1.0;
  s.min_lr = 0.0;
  EXPECT_LR(lr_at(s, 0), 0.1 / 100);
  EXPECT_LR(lr_at(s, 99), 0.1);
  EXPECT_LR(lr_at(s, 100), 0.1);       // t = 0
  EXPECT_LR(lr_at(s, 550), 0.1 / 2);   // t = 450 = T/2
  EXPECT_EQ(lr_at(s, 1000), 0.0);
}

TEST(Schedule, StepDecayCountsEpochsFromTheStartOfTheRun) {
  // Warm-up of 1 epoch, decay every epoch: epoch 1 (steps 100..199) is already 0.01.
  ScheduleConfig s;
  s.kind = ScheduleKind::kStep;
  s.warmup_epochs = 1.0;
  s.step_epochs = 1;
  s.gamma = 0.1;
  EXPECT_LR(lr_at(s, 99), 0.1);
  EXPECT_LR(lr_at(s, 100), 0.01);
}

TEST(Schedule, RejectsBadInput) {
  ScheduleConfig s;
  EXPECT_THROW(learning_rate(s, kLr, 0, 0, kTotal), std::invalid_argument);
  EXPECT_THROW(learning_rate(s, kLr, -1, kPerEpoch, kTotal), std::invalid_argument);
  s.kind = ScheduleKind::kStep;
  s.step_epochs = 0;
  EXPECT_THROW(lr_at(s, 0), UserError);
  s = ScheduleConfig{};
  s.warmup_epochs = -1.0;
  EXPECT_THROW(lr_at(s, 0), UserError);
}

}  // namespace
}  // namespace mixprec
