// The per-tensor FP8 scaling recipes (fp8_scaling.hpp) and the amax they start from
// (amax.hpp): the delayed-scaling state machine step by step on hand-solvable amaxes
// (initial scale 1, the one-step lag, the max over the window, the window dropping its
// oldest amax, the ring buffer wrapping, the margin, zero and non-finite amaxes), current
// scaling, and the vectorised amax against a scalar reference.
// Every comparison is exact: a scale is one fp32 division of values chosen so that the
// expected result is written down exactly (448 / 7 = 64) or computed here by the same single
// division; amax is a maximum, which has no rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <ostream>
#include <random>
#include <stdexcept>
#include <vector>

#include "precision/amax.hpp"
#include "precision/fp8_scaling.hpp"

namespace mixprec {

// How gtest shows a slot in a failure (found by ADL), instead of its bytes.
void PrintTo(const TensorScaling& ts, std::ostream* os) {
  *os << "{scale " << ts.scale << ", history [";
  for (float a : ts.amax_history) *os << a << " ";
  *os << "], next " << ts.amax_next << "}";
}

namespace {

// The formats' largest finite values (OCP 8-bit formats; NUMERICS.md's table).
constexpr float kE4m3Max = 448.0f;
constexpr float kE5m2Max = 57344.0f;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kFltMax = std::numeric_limits<float>::max();

std::uint32_t bits_of(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}

TensorScaling delayed_slot(std::size_t history_length) {
  TensorScaling ts;
  delayed_scale_init(ts, history_length);
  return ts;
}

// One training step of one slot, in the trainer's order: the scale this step's cast uses
// (returned), then the step's amax is recorded, then the update after the step.
float step(TensorScaling& ts, float amax, float max_finite = kE4m3Max, int margin = 0) {
  const float used = ts.scale;
  delayed_scale_record(ts, amax);
  delayed_scale_update(ts, max_finite, margin);
  return used;
}

// ---- delayed scaling -----------------------------------------------------------------------

TEST(DelayedScaling, InitialScaleIsOneAndAnEmptyWindowKeepsIt) {
  TensorScaling ts = delayed_slot(4);
  EXPECT_EQ(ts.scale, 1.0f);
  EXPECT_EQ(ts.amax_history, std::vector<float>(4, 0.0f));
  EXPECT_EQ(ts.amax_next, 0u);
  delayed_scale_update(ts, kE4m3Max, 0);  // nothing recorded: amax 0, the scale stays
  EXPECT_EQ(ts.scale, 1.0f);
}

TEST(DelayedScaling, ScaleMapsTheAmaxOntoTheFormatMaximum) {
  TensorScaling e4m3 = delayed_slot(8);
  step(e4m3, 2.0f);
  EXPECT_EQ(e4m3.scale, 224.0f);  // 448 / 2
  TensorScaling e5m2 = delayed_slot(8);
  step(e5m2, 2.0f, kE5m2Max);
  EXPECT_EQ(e5m2.scale, 28672.0f);  // 57344 / 2
  TensorScaling odd = delayed_slot(8);
  step(odd, 3.0f);
  EXPECT_EQ(bits_of(odd.scale), bits_of(448.0f / 3.0f));  // one correctly rounded division
}

TEST(DelayedScaling, TheScaleUsedAtAStepComesFromEarlierSteps) {
  TensorScaling ts = delayed_slot(1);  // window of one step: the last amax alone
  EXPECT_EQ(step(ts, 4.0f), 1.0f);     // step 0 casts with the initial scale
  EXPECT_EQ(step(ts, 8.0f), 112.0f);   // step 1: 448 / amax(step 0)
  EXPECT_EQ(step(ts, 2.0f), 56.0f);    // step 2: 448 / amax(step 1), not its own amax
  EXPECT_EQ(ts.scale, 224.0f);         // step 3 will use 448 / amax(step 2)
}

TEST(DelayedScaling, TheWindowTakesTheMaximum) {
  TensorScaling ts = delayed_slot(4);
  step(ts, 1.0f);
  step(ts, 7.0f);
  step(ts, 3.0f);
  EXPECT_EQ(delayed_scale_window_amax(ts), 7.0f);
  EXPECT_EQ(ts.scale, 64.0f);  // 448 / 7: the largest of the three, not the latest
}

TEST(DelayedScaling, AnAmaxOlderThanTheWindowDropsOutAndTheRingWraps) {
  TensorScaling ts = delayed_slot(3);
  step(ts, 8.0f);  // slot 0
  step(ts, 1.0f);  // slot 1
  step(ts, 1.0f);  // slot 2; the next write wraps to slot 0
  EXPECT_EQ(ts.amax_next, 0u);
  EXPECT_EQ(ts.scale, 56.0f);  // 448 / 8: the 8 is still one of the last three
  step(ts, 2.0f);              // overwrites the 8, the oldest
  EXPECT_EQ(ts.amax_history, (std::vector<float>{2.0f, 1.0f, 1.0f}));
  EXPECT_EQ(ts.amax_next, 1u);
  EXPECT_EQ(ts.scale, 224.0f);  // 448 / 2
  step(ts, 1.0f);
  step(ts, 1.0f);
  EXPECT_EQ(ts.scale, 224.0f);  // the 2 is the oldest of the three, still in the window
  step(ts, 1.0f);               // and now it is gone
  EXPECT_EQ(ts.scale, 448.0f);
  EXPECT_EQ(ts.amax_next, 1u);  // 7 writes into 3 slots
}

TEST(DelayedScaling, EachMarginStepHalvesTheScale) {
  for (float amax : {1.0f, 3.0f, 0.1f}) {
    TensorScaling base = delayed_slot(2);
    step(base, amax, kE4m3Max, 0);
    for (int margin = 1; margin <= 4; ++margin) {
      TensorScaling ts = delayed_slot(2);
      step(ts, amax, kE4m3Max, margin);
      // Halving is exact in fp32: (448 * 2^-m) / a == (448 / a) * 2^-m bit for bit.
      EXPECT_EQ(bits_of(ts.scale), bits_of(std::ldexp(base.scale, -margin)))
          << "amax " << amax << " margin " << margin;
    }
  }
  TensorScaling ts = delayed_slot(2);
  step(ts, 1.0f, kE4m3Max, 3);
  EXPECT_EQ(ts.scale, 56.0f);  // 448 / 2^3
}

TEST(DelayedScaling, AZeroAmaxKeepsTheScaleAndTheWindow) {
  TensorScaling ts = delayed_slot(2);
  step(ts, 4.0f);
  ASSERT_EQ(ts.scale, 112.0f);
  const TensorScaling before = ts;
  EXPECT_EQ(step(ts, 0.0f), 112.0f);
  EXPECT_EQ(ts, before);  // not recorded (TE's bulk update): history, index and scale as before
  step(ts, -0.0f);
  EXPECT_EQ(ts, before);
  // Zeros do not age the window either: two zero steps later the 4 is still in it.
  step(ts, 1.0f);
  EXPECT_EQ(ts.scale, 112.0f);
  step(ts, 1.0f);
  EXPECT_EQ(ts.scale, 448.0f);
  // A tensor that is zero from the start keeps the initial scale.
  TensorScaling zero = delayed_slot(3);
  for (int i = 0; i < 5; ++i) step(zero, 0.0f);
  EXPECT_EQ(zero.scale, 1.0f);
}

TEST(DelayedScaling, ANonFiniteAmaxKeepsTheScaleWhileItIsInTheWindow) {
  for (float bad : {kInf, kNan}) {
    TensorScaling ts = delayed_slot(2);
    step(ts, 4.0f);
    ASSERT_EQ(ts.scale, 112.0f);
    step(ts, bad);  // recorded, as TE records it
    EXPECT_EQ(ts.scale, 112.0f) << bad;
    EXPECT_FALSE(std::isfinite(delayed_scale_window_amax(ts)));
    step(ts, 2.0f);  // window {bad, 2}: still not finite
    EXPECT_EQ(ts.scale, 112.0f) << bad;
    step(ts, 2.0f);  // window {2, 2}
    EXPECT_EQ(ts.scale, 224.0f) << bad;
  }
  TensorScaling nan = delayed_slot(3);
  step(nan, 1.0f);
  step(nan, kNan);
  EXPECT_TRUE(std::isnan(delayed_scale_window_amax(nan)));  // NaN wins over any number
  TensorScaling inf = delayed_slot(3);
  step(inf, kInf);
  EXPECT_EQ(inf.scale, 1.0f);  // the initial scale stays
}

TEST(DelayedScaling, AnAmaxTooSmallForAFiniteScaleGivesTheLargestFloat) {
  TensorScaling ts = delayed_slot(1);
  step(ts, std::ldexp(1.0f, -149));  // 448 * 2^149 overflows fp32
  EXPECT_EQ(ts.scale, kFltMax);
  step(ts, 1e-30f);  // 4.48e32 fits
  EXPECT_EQ(bits_of(ts.scale), bits_of(448.0f / 1e-30f));
}

TEST(DelayedScaling, MisuseIsALogicError) {
  TensorScaling unset;  // the 16-bit modes' default: no history
  EXPECT_THROW(delayed_scale_record(unset, 1.0f), std::logic_error);
  EXPECT_THROW(delayed_scale_update(unset, kE4m3Max, 0), std::logic_error);
  EXPECT_THROW(delayed_scale_init(unset, 0), std::logic_error);
}

// ---- current scaling ---------------------------------------------------------------------

TEST(CurrentScaling, ScaleComesFromTheTensorsOwnAmax) {
  const std::vector<float> x = {-3.0f, 1.5f, 0.0f, 2.0f};
  EXPECT_EQ(bits_of(current_scale(amax(x.data(), x.size()), kE4m3Max, 0)),
            bits_of(448.0f / 3.0f));
  EXPECT_EQ(current_scale(2.0f, kE5m2Max, 0), 28672.0f);
  EXPECT_EQ(current_scale(1.0f, kE4m3Max, 2), 112.0f);  // the margin as in delayed scaling
}

TEST(CurrentScaling, ZeroAndNonFiniteAmaxesGiveOne) {
  // TE's compute_scale_from_amax returns 1 for these; there is no previous scale to keep.
  EXPECT_EQ(current_scale(0.0f, kE4m3Max, 0), 1.0f);
  EXPECT_EQ(current_scale(kInf, kE4m3Max, 0), 1.0f);
  EXPECT_EQ(current_scale(kNan, kE4m3Max, 0), 1.0f);
  EXPECT_EQ(current_scale(std::ldexp(1.0f, -149), kE4m3Max, 0), kFltMax);
}

// ---- amax ----------------------------------------------------------------------------------

// Written with float comparisons, not bits: NaN anywhere gives NaN, else the largest |x|.
float reference_amax(const float* x, std::size_t n) {
  float m = 0.0f;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) return kNan;
    m = std::max(m, std::fabs(x[i]));
  }
  return m;
}

void expect_amax_matches(const std::vector<float>& v, std::size_t offset, std::size_t n) {
  const float want = reference_amax(v.data() + offset, n);
  const float got = amax(v.data() + offset, n);
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << "offset " << offset << " n " << n;
  } else {
    EXPECT_EQ(bits_of(got), bits_of(want)) << "offset " << offset << " n " << n;
  }
}

TEST(Amax, VectorisedEqualsScalarReferenceAtEveryLengthAndOffset) {
  // Lengths across the 32-, 16- and 8-wide loops and their tails; offsets move the start off
  // the vector alignment; the maximum is planted at every position, with either sign.
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-140, 20);
  std::vector<float> v(200);
  for (float& x : v) x = std::ldexp(mantissa(gen), exponent(gen));
  for (std::size_t n = 0; n <= 80; ++n) {
    for (std::size_t offset : {0, 1, 3, 7}) {
      expect_amax_matches(v, offset, n);
      for (std::size_t at = 0; at < n; ++at) {
        std::vector<float> w = v;
        w[offset + at] = (at % 2 ? -1.0f : 1.0f) * 1e9f;
        expect_amax_matches(w, offset, n);
      }
    }
  }
}

TEST(Amax, SpecialValues) {
  std::vector<float> v(45, 0.5f);
  EXPECT_EQ(amax(v.data(), 0), 0.0f);
  for (std::size_t at : {0, 17, 31, 44}) {
    std::vector<float> w = v;
    w[at] = kNan;
    w[(at + 5) % w.size()] = kInf;
    EXPECT_TRUE(std::isnan(amax(w.data(), w.size()))) << at;  // NaN over inf
    w[at] = -kInf;
    EXPECT_EQ(amax(w.data(), w.size()), kInf) << at;
    w = std::vector<float>(45, -0.0f);
    EXPECT_EQ(bits_of(amax(w.data(), w.size())), 0u) << at;  // -0 counts as +0
    w[at] = -std::ldexp(1.0f, -140);                          // a subnormal maximum
    EXPECT_EQ(amax(w.data(), w.size()), std::ldexp(1.0f, -140)) << at;
  }
}

}  // namespace
}  // namespace mixprec
