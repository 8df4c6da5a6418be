#pragma once
// What the precision format did to one epoch (NUMERICS.md "Statistics that explain the
// numbers"). Every step is counted, not sampled: the counts come from rounding passes
// that run anyway.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "precision/convert.hpp"
#include "optim/optimizer.hpp"

namespace mixprec {

struct EpochStats {
  std::int64_t steps = 0;
  std::int64_t skipped_steps = 0;
  double loss_sum = 0.0;            // running training loss (unscaled), summed over samples
  std::int64_t samples = 0;
  float scale_min = std::numeric_limits<float>::infinity();
  float scale_max = 0.0f;
  float scale_last = 1.0f;
  RoundStats grad_rounding;         // every gradient tensor rounded to 16-bit
  UpdateStats updates;              // -true modes: updates lost to rounding

  void note_scale(float s) {
    scale_min = std::min(scale_min, s);
    scale_max = std::max(scale_max, s);
    scale_last = s;
  }

  // null where a fraction has no denominator (e.g. underflow in fp32, which never rounds).
  nlohmann::json precision_json(bool sixteen_bit, bool has_master) const {
    auto fraction = [](std::uint64_t part, std::uint64_t whole) -> nlohmann::json {
      if (whole == 0) return nullptr;
      return double(part) / double(whole);
    };
    auto ratio = [](double part, double whole) -> nlohmann::json {
      if (!(whole > 0.0) || !std::isfinite(part)) return nullptr;
      return part / whole;
    };
    return {
        {"loss_scale", {{"min", scale_min}, {"max", scale_max}, {"last", scale_last}}},
        {"skipped_steps", skipped_steps},
        {"grad_values_rounded", sixteen_bit ? grad_rounding.values : 0},
        {"grad_underflow_fraction",
         sixteen_bit ? fraction(grad_rounding.underflow, grad_rounding.nonzero) : nullptr},
        {"grad_overflow_count", grad_rounding.overflow},
        {"lost_update_fraction",
         has_master ? nlohmann::json(nullptr)
                    : fraction(updates.lost_updates, updates.nonzero_updates)},
        // -true modes: the applied update against the intended fp32 one, relative to the
        // sum of |intended|: nearest that loses small updates has error ~1 and bias ~-1;
        // stochastic rounding is unbiased (bias ~0) but noisy; Kahan carries the loss
        // into later steps, so its bias over an epoch stays near 0.
        {"update_rounding_error",
         has_master ? nlohmann::json(nullptr) : ratio(updates.error_abs, updates.intended_abs)},
        {"update_rounding_bias",
         has_master ? nlohmann::json(nullptr) : ratio(updates.error_signed, updates.intended_abs)},
    };
  }
};

}  // namespace mixprec
