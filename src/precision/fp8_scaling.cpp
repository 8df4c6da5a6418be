#include "precision/fp8_scaling.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace mixprec {

float scale_from_amax(float amax, float max_finite, int margin, float fallback) {
  if (!(std::isfinite(amax) && amax > 0.0f)) return fallback;  // zero, negative, inf, NaN
  // TE's scaled_max = fp8_max * 2^-margin, then scaled_max / amax (delayed_scaling.cu).
  const float s = std::ldexp(max_finite, -margin) / amax;
  return std::isinf(s) ? std::numeric_limits<float>::max() : s;
}

namespace {

void check_delayed(const TensorScaling& ts, const char* caller) {
  if (ts.amax_history.empty() || ts.amax_next >= ts.amax_history.size()) {
    throw std::logic_error(std::string(caller) +
                           ": the slot has no amax history (delayed_scale_init not called) or "
                           "its next index is out of range");
  }
}

}  // namespace

void delayed_scale_init(TensorScaling& ts, std::size_t history_length) {
  if (history_length == 0) {
    throw std::logic_error("delayed_scale_init: history length 0 (config validation allows >= 1)");
  }
  ts.scale = 1.0f;
  ts.amax_history.assign(history_length, 0.0f);
  ts.amax_next = 0;
}

void delayed_scale_record(TensorScaling& ts, float amax) {
  check_delayed(ts, "delayed_scale_record");
  if (amax == 0.0f) return;
  ts.amax_history[ts.amax_next] = amax;
  ts.amax_next = (ts.amax_next + 1) % ts.amax_history.size();
}

float delayed_scale_window_amax(const TensorScaling& ts) {
  float m = 0.0f;
  for (float a : ts.amax_history) {
    if (std::isnan(a)) return a;
    if (a > m) m = a;
  }
  return m;
}

void delayed_scale_update(TensorScaling& ts, float max_finite, int margin) {
  check_delayed(ts, "delayed_scale_update");
  ts.scale = scale_from_amax(delayed_scale_window_amax(ts), max_finite, margin, ts.scale);
}

float current_scale(float amax, float max_finite, int margin) {
  return scale_from_amax(amax, max_finite, margin, 1.0f);
}

}  // namespace mixprec
