#pragma once
// Loss scaling (NUMERICS.md), with the state machine of PyTorch's GradScaler:
//   dynamic: start at `init`; a non-finite step is skipped and the scale multiplied by
//            backoff_factor; after growth_interval consecutive finite steps it is
//            multiplied by growth_factor. Falling below `min` ends the run.
//   static:  a fixed scale; non-finite steps are skipped and counted.
//   none:    scale 1; a non-finite gradient means the run diverged (nothing to back off).
#include <cstdint>

#include "config/config.hpp"

namespace mixprec {

enum class StepVerdict { kApply, kSkip, kDiverged, kScaleBelowMinimum };

class LossScaler {
 public:
  LossScaler(const LossScaleConfig& cfg, LossScaling mode);

  LossScaling mode() const { return mode_; }
  // The scale S to multiply the loss by in this step.
  float scale() const { return scale_; }
  // After backward: were all gradients finite? Updates the scale for the next step.
  StepVerdict update(bool grads_finite);

  std::int64_t skipped_steps() const { return skipped_; }
  std::int64_t finite_streak() const { return streak_; }
  // Checkpoints: continue from a saved state (the mode and settings come from the config).
  void restore(float scale, std::int64_t finite_streak, std::int64_t skipped) {
    scale_ = scale;
    streak_ = finite_streak;
    skipped_ = skipped;
  }

 private:
  LossScaleConfig cfg_;
  LossScaling mode_;
  float scale_;
  std::int64_t streak_ = 0;
  std::int64_t skipped_ = 0;
};

std::string to_string(LossScaling mode);

}  // namespace mixprec
