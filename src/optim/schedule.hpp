#pragma once
// Learning-rate schedules as a pure function of the global step, so a resumed or skipped
// step needs no schedule state. Steps count every training step, skipped ones included
// (NUMERICS.md step 5: the schedule advances on a skipped step).
#include <cstdint>

#include "config/config.hpp"

namespace mixprec {

// round(warmup_epochs * steps_per_epoch): the number of warm-up steps.
std::int64_t warmup_steps(const ScheduleConfig& s, std::int64_t steps_per_epoch);

// The learning rate at global step `step` (0-based) of a run of `total_steps` steps:
//   warm-up (step < W, W = warmup_steps): base_lr * (step + 1) / W, whatever the kind;
//   constant: base_lr;
//   step:     base_lr * gamma^floor(epoch / step_epochs), epoch = floor(step / steps_per_epoch);
//   cosine:   min_lr + (base_lr - min_lr) * (1 + cos(pi * t / T)) / 2,
//             t = step - W, T = total_steps - W (min_lr from step T on).
double learning_rate(const ScheduleConfig& s, double base_lr, std::int64_t step,
                     std::int64_t steps_per_epoch, std::int64_t total_steps);

}  // namespace mixprec
