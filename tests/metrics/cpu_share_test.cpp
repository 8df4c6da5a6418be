// The CPU share: a sleeping process gets ~0 of its threads, a spinning one thread most of
// one thread's time and at most half of two threads'. Bounds are loose on purpose (the test
// machine is shared): each can only fail if the meter measures the wrong thing.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "metrics/cpu_share.hpp"

namespace mixprec {
namespace {

using namespace std::chrono_literals;

void spin_for(double seconds) {
  const Stopwatch watch;
  volatile double sink = 0.0;
  while (watch.seconds() < seconds) sink = sink + 1.0;
}

TEST(CpuShare, SleepingUsesAlmostNone) {
  const CpuShareMeter meter(1);
  std::this_thread::sleep_for(200ms);
  EXPECT_LT(meter.share(), 0.2);
}

TEST(CpuShare, SpinningOneThreadUsesOneThreadsTime) {
  const CpuShareMeter one(1), two(2);
  spin_for(0.3);
  const double s1 = one.share(), s2 = two.share();
  EXPECT_GT(s1, 0.3);   // ~1 on an idle machine
  EXPECT_LE(s1, 1.05);  // one thread cannot use more than its wall time (+ clock tick slack)
  EXPECT_NEAR(s2, s1 / 2.0, 0.05);
}

TEST(CpuShare, ProcessCpuSecondsNeverDecrease) {
  const double a = process_cpu_seconds();
  spin_for(0.05);
  EXPECT_GE(process_cpu_seconds(), a);
}

}  // namespace
}  // namespace mixprec
