// The LossScaler state machine (NUMERICS.md "Dynamic loss scaling", PyTorch GradScaler):
// every expected scale is a power of two times the initial one, so all comparisons are exact.
#include <gtest/gtest.h>

#include "train/loss_scaler.hpp"

namespace mixprec {
namespace {

LossScaleConfig small_config() {
  LossScaleConfig c;
  c.init = 1024.0;
  c.growth_factor = 2.0;
  c.growth_interval = 3;
  c.backoff_factor = 0.5;
  c.min = 1.0;
  return c;
}

TEST(LossScaler, DynamicStartsAtInit) {
  LossScaler s(small_config(), LossScaling::kDynamic);
  EXPECT_EQ(s.mode(), LossScaling::kDynamic);
  EXPECT_EQ(s.scale(), 1024.0f);
  EXPECT_EQ(s.skipped_steps(), 0);
  EXPECT_EQ(s.finite_streak(), 0);
}

TEST(LossScaler, DynamicBacksOffOnNonFiniteStep) {
  LossScaler s(small_config(), LossScaling::kDynamic);
  EXPECT_EQ(s.update(true), StepVerdict::kApply);
  EXPECT_EQ(s.finite_streak(), 1);
  EXPECT_EQ(s.update(false), StepVerdict::kSkip);
  EXPECT_EQ(s.scale(), 512.0f);  // 1024 * backoff 0.5
  EXPECT_EQ(s.skipped_steps(), 1);
  EXPECT_EQ(s.finite_streak(), 0);
  EXPECT_EQ(s.update(false), StepVerdict::kSkip);
  EXPECT_EQ(s.scale(), 256.0f);
  EXPECT_EQ(s.skipped_steps(), 2);
}

TEST(LossScaler, DynamicGrowsAfterExactlyGrowthIntervalFiniteSteps) {
  LossScaler s(small_config(), LossScaling::kDynamic);
  EXPECT_EQ(s.update(true), StepVerdict::kApply);
  EXPECT_EQ(s.scale(), 1024.0f);
  EXPECT_EQ(s.update(true), StepVerdict::kApply);
  EXPECT_EQ(s.scale(), 1024.0f) << "grew one step early";
  EXPECT_EQ(s.finite_streak(), 2);
  EXPECT_EQ(s.update(true), StepVerdict::kApply);
  EXPECT_EQ(s.scale(), 2048.0f) << "did not grow after growth_interval = 3 finite steps";
  EXPECT_EQ(s.finite_streak(), 0) << "the streak restarts after growing";
  // The next growth needs another full interval.
  s.update(true);
  s.update(true);
  EXPECT_EQ(s.scale(), 2048.0f);
  s.update(true);
  EXPECT_EQ(s.scale(), 4096.0f);
  EXPECT_EQ(s.skipped_steps(), 0);
}

TEST(LossScaler, SkipInTheMiddleResetsTheStreak) {
  LossScaler s(small_config(), LossScaling::kDynamic);
  s.update(true);
  s.update(true);  // streak 2 of 3
  EXPECT_EQ(s.update(false), StepVerdict::kSkip);
  EXPECT_EQ(s.scale(), 512.0f);
  s.update(true);
  s.update(true);
  EXPECT_EQ(s.scale(), 512.0f) << "the two finite steps before the skip must not count";
  s.update(true);
  EXPECT_EQ(s.scale(), 1024.0f);
}

TEST(LossScaler, ScaleBelowMinimumEndsTheRun) {
  LossScaleConfig c = small_config();
  c.init = 4.0;
  c.min = 1.0;
  LossScaler s(c, LossScaling::kDynamic);
  EXPECT_EQ(s.update(false), StepVerdict::kSkip);  // 2
  EXPECT_EQ(s.update(false), StepVerdict::kSkip);  // 1: equal to min is still allowed
  EXPECT_EQ(s.scale(), 1.0f);
  EXPECT_EQ(s.update(false), StepVerdict::kScaleBelowMinimum);  // 0.5 < 1
  EXPECT_EQ(s.scale(), 0.5f);
  EXPECT_EQ(s.skipped_steps(), 3);
}

TEST(LossScaler, StaticSkipsButNeverChangesTheScale) {
  LossScaler s(small_config(), LossScaling::kStatic);
  EXPECT_EQ(s.scale(), 1024.0f);
  EXPECT_EQ(s.update(false), StepVerdict::kSkip);
  EXPECT_EQ(s.scale(), 1024.0f);
  EXPECT_EQ(s.skipped_steps(), 1);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s.update(true), StepVerdict::kApply);
  EXPECT_EQ(s.scale(), 1024.0f) << "a static scale must not grow";
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.update(false), StepVerdict::kSkip);
  EXPECT_EQ(s.scale(), 1024.0f) << "a static scale must not back off (nor end the run)";
  EXPECT_EQ(s.skipped_steps(), 21);
}

TEST(LossScaler, NoneIsScaleOneAndNonFiniteMeansDiverged) {
  LossScaleConfig c = small_config();
  c.init = 65536.0;  // ignored in mode none
  LossScaler s(c, LossScaling::kNone);
  EXPECT_EQ(s.scale(), 1.0f);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.update(true), StepVerdict::kApply);
  EXPECT_EQ(s.scale(), 1.0f) << "mode none must not grow";
  EXPECT_EQ(s.update(false), StepVerdict::kDiverged);
  EXPECT_EQ(s.scale(), 1.0f);
}

TEST(LossScaler, ModeNames) {
  EXPECT_EQ(to_string(LossScaling::kDynamic), "dynamic");
  EXPECT_EQ(to_string(LossScaling::kStatic), "static");
  EXPECT_EQ(to_string(LossScaling::kNone), "none");
}

}  // namespace
}  // namespace mixprec
