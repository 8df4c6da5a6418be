#pragma once
// Seconds spent per phase of the training step, accumulated over one epoch. The phases
// follow the numbered steps of the trainer (NUMERICS.md "One training step"); the cast of
// the mixed modes' master into the 16-bit copy is fused into the optimizer's pass, so it is
// timed as part of "optimizer".
#include <array>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "metrics/stopwatch.hpp"

namespace mixprec {

enum class Phase { kData, kForward, kBackward, kOptimizer, kEvaluation };
inline constexpr std::size_t kPhaseCount = 5;

// "data", "forward", "backward", "optimizer", "evaluation" (std::string, not
// string_view: see STYLE.md's CLI11 trap).
std::string to_string(Phase phase);
const std::array<Phase, kPhaseCount>& all_phases();

class PhaseTimer {
 public:
  // Adds `seconds` (>= 0, else std::invalid_argument: a negative time is a bug).
  void add(Phase phase, double seconds);
  double seconds(Phase phase) const { return seconds_[index(phase)]; }
  // Zero every phase; call at the start of each epoch.
  void reset() { seconds_.fill(0.0); }
  // {"data": s, "forward": s, ...}: every phase, in seconds, zero ones included.
  nlohmann::json to_json() const;

 private:
  static std::size_t index(Phase phase) { return static_cast<std::size_t>(phase); }
  std::array<double, kPhaseCount> seconds_{};
};

// Times the enclosing scope into one phase:
//   { ScopedPhase t(timer, Phase::kForward); forward(...); }
class ScopedPhase {
 public:
  ScopedPhase(PhaseTimer& timer, Phase phase) : timer_(timer), phase_(phase) {}
  ~ScopedPhase() { timer_.add(phase_, watch_.seconds()); }
  ScopedPhase(const ScopedPhase&) = delete;
  ScopedPhase& operator=(const ScopedPhase&) = delete;

 private:
  PhaseTimer& timer_;
  Phase phase_;
  Stopwatch watch_;
};

}  // namespace mixprec
