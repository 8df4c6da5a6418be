#include "metrics/phase_timer.hpp"

#include <cmath>
#include <stdexcept>

namespace mixprec {

std::string to_string(Phase phase) {
  switch (phase) {
    case Phase::kData: return "data";
    case Phase::kForward: return "forward";
    case Phase::kBackward: return "backward";
    case Phase::kOptimizer: return "optimizer";
    case Phase::kEvaluation: return "evaluation";
  }
  throw std::invalid_argument("to_string: unknown Phase value");
}

const std::array<Phase, kPhaseCount>& all_phases() {
  static const std::array<Phase, kPhaseCount> phases = {
      Phase::kData, Phase::kForward,
      Phase::kBackward, Phase::kOptimizer, Phase::kEvaluation};
  return phases;
}

void PhaseTimer::add(Phase phase, double seconds) {
  if (!(seconds >= 0.0) || !std::isfinite(seconds)) {
    throw std::invalid_argument("PhaseTimer::add: seconds must be finite and >= 0");
  }
  seconds_[index(phase)] += seconds;
}

nlohmann::json PhaseTimer::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (Phase p : all_phases()) j[to_string(p)] = seconds(p);
  return j;
}

}  // namespace mixprec
