#include "optim/schedule.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "common/error.hpp"

namespace mixprec {

std::int64_t warmup_steps(const ScheduleConfig& s, std::int64_t steps_per_epoch) {
  if (!(s.warmup_epochs >= 0.0))
    fail("schedule.warmup_epochs: got {}, expected >= 0; hint: 0 turns warm-up off",
         s.warmup_epochs);
  return std::llround(s.warmup_epochs * static_cast<double>(steps_per_epoch));
}

double learning_rate(const ScheduleConfig& s, double base_lr, std::int64_t step,
                     std::int64_t steps_per_epoch, std::int64_t total_steps) {
  // Caller bugs, not user errors: the trainer derives these from the data.
  if (steps_per_epoch <= 0 || step < 0 || total_steps <= 0)
    throw std::invalid_argument("learning_rate: needs step >= 0, steps_per_epoch > 0, "
                                "total_steps > 0");
  const std::int64_t warmup = warmup_steps(s, steps_per_epoch);
  if (step < warmup)
    return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  switch (s.kind) {
    case ScheduleKind::kStep: {
      if (s.step_epochs <= 0)
        fail("schedule.step_epochs: got {}, expected an integer >= 1; hint: decay every N epochs",
             s.step_epochs);
      const std::int64_t epoch = step / steps_per_epoch;
      return base_lr * std::pow(s.gamma, static_cast<double>(epoch / s.step_epochs));
    }
    case ScheduleKind::kCosine: {
      const std::int64_t span = total_steps - warmup;
      const std::int64_t t = step - warmup;
      if (span <= 0 || t >= span) return s.min_lr;
      const double progress = static_cast<double>(t) / static_cast<double>(span);
      return s.min_lr + (base_lr - s.min_lr) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
    }
    default:
      return base_lr;
  }
}

}  // namespace mixprec
