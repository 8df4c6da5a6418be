#include "metrics/phase_timer.hpp"

#include <chrono>
#include <limits>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "metrics/stopwatch.hpp"

namespace mixprec {
namespace {

using namespace std::chrono_literals;

// sleep_for sleeps at least as long as asked, so lower bounds are exact; the upper
// slack is generous (0.5 s) because the test machine is shared and may be loaded.
constexpr double kSlackSeconds = 0.5;

TEST(Phase, NamesAreStable) {
  EXPECT_EQ(to_string(Phase::kData), "data");
  EXPECT_EQ(to_string(Phase::kForward), "forward");
  EXPECT_EQ(to_string(Phase::kBackward), "backward");
  EXPECT_EQ(to_string(Phase::kOptimizer), "optimizer");
  EXPECT_EQ(to_string(Phase::kEvaluation), "evaluation");
  EXPECT_EQ(all_phases().size(), kPhaseCount);
}

TEST(Stopwatch, MeasuresASleep) {
  Stopwatch watch;
  std::this_thread::sleep_for(20ms);
  const double s = watch.seconds();
  EXPECT_GE(s, 0.020);
  EXPECT_LT(s, 0.020 + kSlackSeconds);
  watch.restart();
  EXPECT_LT(watch.seconds(), 0.020);  // restart dropped the 20 ms
}

TEST(PhaseTimer, AddIsExactAndResetZeroes) {
  PhaseTimer timer;
  timer.add(Phase::kData, 0.25);
  timer.add(Phase::kData, 0.5);
  timer.add(Phase::kOptimizer, 2.0);
  // Sums of dyadic fractions: exact in double.
  EXPECT_EQ(timer.seconds(Phase::kData), 0.75);
  EXPECT_EQ(timer.seconds(Phase::kOptimizer), 2.0);
  EXPECT_EQ(timer.seconds(Phase::kForward), 0.0);
  timer.reset();
  for (Phase p : all_phases()) EXPECT_EQ(timer.seconds(p), 0.0) << to_string(p);
}

TEST(PhaseTimer, RejectsNegativeAndNonFiniteTimes) {
  PhaseTimer timer;
  EXPECT_THROW(timer.add(Phase::kData, -1e-9), std::invalid_argument);
  EXPECT_THROW(timer.add(Phase::kData, std::numeric_limits<double>::quiet_NaN()),
               std::invalid_argument);
  EXPECT_THROW(timer.add(Phase::kData, std::numeric_limits<double>::infinity()),
               std::invalid_argument);
  EXPECT_EQ(timer.seconds(Phase::kData), 0.0);
}

TEST(PhaseTimer, ScopedPhasesAccumulateAroundSleeps) {
  PhaseTimer timer;
  for (int step = 0; step < 2; ++step) {
    { ScopedPhase t(timer, Phase::kForward); std::this_thread::sleep_for(30ms); }
    { ScopedPhase t(timer, Phase::kBackward); std::this_thread::sleep_for(50ms); }
  }
  EXPECT_GE(timer.seconds(Phase::kForward), 0.060);
  EXPECT_LT(timer.seconds(Phase::kForward), 0.060 + kSlackSeconds);
  EXPECT_GE(timer.seconds(Phase::kBackward), 0.100);
  EXPECT_LT(timer.seconds(Phase::kBackward), 0.100 + kSlackSeconds);
  for (Phase p : all_phases()) EXPECT_GE(timer.seconds(p), 0.0) << to_string(p);
  EXPECT_EQ(timer.seconds(Phase::kData), 0.0);  // nothing was timed there
}

TEST(PhaseTimer, JsonHasEveryPhaseInSeconds) {
  PhaseTimer timer;
  timer.add(Phase::kEvaluation, 1.5);
  const auto j = timer.to_json();
  ASSERT_EQ(j.size(), kPhaseCount);
  for (Phase p : all_phases()) ASSERT_TRUE(j.at(to_string(p)).is_number_float()) << to_string(p);
  EXPECT_EQ(j.at("evaluation").get<double>(), 1.5);
  EXPECT_EQ(j.at("data").get<double>(), 0.0);
}

}  // namespace
}  // namespace mixprec
