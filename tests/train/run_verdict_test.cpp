// untrained_cause: the verdict that keeps a run that trained nothing from "completed".
#include "train/run_verdict.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace mixprec {
namespace {

TEST(RunVerdict, AllOrNearlyAllStepsSkippedIsUntrained) {
  const float inf = std::numeric_limits<float>::infinity();
  auto cause = untrained_cause({24, 24, 24, 1, 2, inf});
  ASSERT_TRUE(cause.has_value());
  EXPECT_NE(cause->find("24 of 24 steps were skipped"), std::string::npos) << *cause;
  EXPECT_NE(cause->find("inf (above the fp32 maximum)"), std::string::npos) << *cause;
  // 90% is the line (kUntrainedSkipShare): 9 of 10 is untrained, 8 of 10 is trained.
  EXPECT_TRUE(untrained_cause({10, 9, 10, 1, 2, 1.0}).has_value());
  EXPECT_FALSE(untrained_cause({10, 8, 10, 1, 2, 1.0}).has_value());
}

TEST(RunVerdict, WeightsThatNeverChangedAreUntrained) {
  auto cause = untrained_cause({24, 0, 24, 7, 7, 1.0});
  ASSERT_TRUE(cause.has_value());
  EXPECT_NE(cause->find("no weight changed in 24 steps"), std::string::npos) << *cause;
  // A resumed process that had no step left to do changed nothing, and trained nothing
  // wrong: not untrained.
  EXPECT_FALSE(untrained_cause({24, 0, 0, 7, 7, 1.0}).has_value());
}

TEST(RunVerdict, FingerprintSeesEveryBitButNotTheSignOfZero) {
  EXPECT_EQ(weights_fingerprint({0.0f, 1.0f}), weights_fingerprint({-0.0f, 1.0f}));
  EXPECT_NE(weights_fingerprint({0.0f, 1.0f}), weights_fingerprint({0.0f, std::nextafter(1.0f, 2.0f)}));
  EXPECT_NE(weights_fingerprint({1.0f, 2.0f}), weights_fingerprint({2.0f, 1.0f}));
}

}  // namespace
}  // namespace mixprec
