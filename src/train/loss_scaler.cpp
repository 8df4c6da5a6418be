#include "train/loss_scaler.hpp"

#include <limits>

namespace mixprec {

std::string to_string(LossScaling mode) {
  switch (mode) {
    case LossScaling::kDynamic: return "dynamic";
    case LossScaling::kStatic: return "static";
    case LossScaling::kNone: return "none";
  }
  return "?";  // unreachable: -Werror=switch lists a new mode above
}

LossScaler::LossScaler(const LossScaleConfig& cfg, LossScaling mode)
    : cfg_(cfg), mode_(mode), scale_(mode == LossScaling::kNone ? 1.0f : float(cfg.init)) {}

StepVerdict LossScaler::update(bool grads_finite) {
  if (grads_finite) {
    if (mode_ == LossScaling::kDynamic && ++streak_ >= cfg_.growth_interval) {
      // Never past the fp32 maximum: an inf scale makes every gradient inf, and backing
      // off from inf gives inf again, so every later step would be skipped.
      const double grown = double(scale_) * cfg_.growth_factor;
      if (grown <= std::numeric_limits<float>::max()) scale_ = float(grown);
      streak_ = 0;
    }
    return StepVerdict::kApply;
  }
  if (mode_ == LossScaling::kNone) return StepVerdict::kDiverged;
  ++skipped_;
  if (mode_ == LossScaling::kDynamic) {
    streak_ = 0;
    scale_ = float(scale_ * cfg_.backoff_factor);
    if (scale_ < cfg_.min) return StepVerdict::kScaleBelowMinimum;
  }
  return StepVerdict::kSkip;
}

}  // namespace mixprec
