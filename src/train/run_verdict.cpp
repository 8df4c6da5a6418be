#include "train/run_verdict.hpp"

#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace mixprec {

std::uint64_t weights_fingerprint(const std::vector<float>& weights) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits
  for (float w : weights) {
    // -0 and +0 are the same weight: an update of a zero bias that rounds away gives -0.
    if (w == 0.0f) w = 0.0f;
    std::uint32_t bits;
    std::memcpy(&bits, &w, sizeof bits);
    for (int i = 0; i < 4; ++i) {
      h ^= (bits >> (8 * i)) & 0xffu;
      h *= 1099511628211ull;
    }
  }
  return h;
}

std::optional<std::string> untrained_cause(const TrainingEvidence& e) {
  if (e.steps > 0 && double(e.skipped_steps) >= kUntrainedSkipShare * double(e.steps)) {
    const std::string scale = std::isfinite(e.loss_scale)
                                  ? fmt::format("{:g}", e.loss_scale)
                                  : std::string("inf (above the fp32 maximum)");
    return fmt::format(
        "{} of {} steps were skipped for non-finite gradients (loss scale at the end: {}): the "
        "model was barely trained (hint: lower loss_scale.init, or use loss_scale \"dynamic\")",
        e.skipped_steps, e.steps, scale);
  }
  if (e.steps_this_process > 0 && e.weights_before == e.weights_after)
    return fmt::format(
        "no weight changed in {} steps: every update rounded away (hint: a learning rate or "
        "gradient too small for the weights' format; raise optimizer.lr, or use a -mixed "
        "precision, which keeps fp32 master weights)", e.steps_this_process);
  return std::nullopt;
}

}  // namespace mixprec
