#pragma once
// Whether a run that reached its last epoch trained anything. A run whose steps were all
// (or nearly all) skipped by the loss scaler, or whose weights ended bit-identical to how
// they started, must not be reported "completed" (issue 20: loss_scale 1e39 made every
// step inf, skipped them all, and the run said "completed" at 7.5% accuracy).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mixprec {

// The share of skipped steps above which a run counts as untrained: a healthy fp16 run
// skips a handful of steps while its dynamic scale settles, never nine in ten.
inline constexpr double kUntrainedSkipShare = 0.9;

// A fingerprint of the weights (FNV-1a over their bits): equal fingerprints before and
// after the steps of this process mean no update changed any weight.
std::uint64_t weights_fingerprint(const std::vector<float>& weights);

struct TrainingEvidence {
  std::int64_t steps = 0;          // all steps of the run, resumed processes included
  std::int64_t skipped_steps = 0;  // of those, skipped by the loss scaler
  std::int64_t steps_this_process = 0;
  std::uint64_t weights_before = 0, weights_after = 0;  // of this process's steps
  double loss_scale = 0.0;         // the final scale, for the cause
};

// The cause when the run trained nothing ("untrained" status), else nothing.
std::optional<std::string> untrained_cause(const TrainingEvidence& e);

}  // namespace mixprec
