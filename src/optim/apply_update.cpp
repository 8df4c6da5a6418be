#include "optim/apply_update.hpp"

#include "common/intrinsics_warnings.hpp"

#include <cmath>
#include <type_traits>

#include "precision/round_loops.hpp"

namespace mixprec {
namespace {

// The block's statistics (the top of apply_update.hpp): counts, and the intended and applied
// updates compared. Float sums within a block (their order is fixed), added to the doubles.
void count_block(const float* w_new, const float* w_old, const float* stored, std::int64_t len,
                 UpdateStats& stats) {
  std::uint32_t moved_count = 0, lost_count = 0;
  float intended = 0.0f, error = 0.0f, bias = 0.0f;
  for (std::int64_t i = 0; i < len; ++i) {
    // NaN != NaN counts as moved, never as lost.
    const bool moved = w_new[i] != w_old[i];
    moved_count += moved;
    lost_count += moved & (stored[i] == w_old[i]);
    const float d = w_new[i] - w_old[i], e = (stored[i] - w_old[i]) - d;
    intended += std::fabs(d);
    error += std::fabs(e);
    bias += d > 0.0f ? e : (d < 0.0f ? -e : 0.0f);
  }
  stats.nonzero_updates += moved_count;
  stats.lost_updates += lost_count;
  stats.intended_abs += double(intended);
  stats.error_abs += double(error);
  stats.error_signed += double(bias);
}

// 16-bit weights: round the block into storage (with Kahan's compensation where there is
// one) and count it.
template <typename W>
void store_16bit(const float* w_new, const float* w_old, W* stored_block, W* compensation,
                 const Rounding& rounding, std::int64_t len, UpdateStats& stats) {
  const auto n = static_cast<std::size_t>(len);
  alignas(64) float stored[kUpdateBlock];
  if (compensation == nullptr) {
    round_into<W>(w_new, stored_block, n, rounding, nullptr);
  } else {
    // y = (w_new - w) - c; t = round(w + y); c = (t - w) - y.
    alignas(64) float c[kUpdateBlock], y[kUpdateBlock], sum[kUpdateBlock];
    to_float_array(compensation, c, n);
    for (std::int64_t i = 0; i < len; ++i) {
      y[i] = (w_new[i] - w_old[i]) - c[i];
      sum[i] = w_old[i] + y[i];
    }
    round_into<W>(sum, stored_block, n, rounding, nullptr);
    to_float_array(stored_block, stored, n);
    for (std::int64_t i = 0; i < len; ++i) c[i] = (stored[i] - w_old[i]) - y[i];
    from_float_array(c, compensation, n);
    count_block(w_new, w_old, stored, len, stats);
    return;
  }
  to_float_array(stored_block, stored, n);
  count_block(w_new, w_old, stored, len, stats);
}

}  // namespace

void store_updated_weights(const float* w_new, const float* w_old, Format weight_format,
                           void* weights, Format copy_format, void* working_copy,
                           const WeightRounding& how, std::int64_t begin, std::int64_t len,
                           UpdateStats& stats) {
  const auto n = static_cast<std::size_t>(len);
  if (working_copy != nullptr) {
    dispatch_format(copy_format, [&](auto tag) {
      using C = decltype(tag);
      from_float_array(w_new, static_cast<C*>(working_copy) + begin, n);
    });
  }
  dispatch_format(weight_format, [&](auto tag) {
    using W = decltype(tag);
    // fp32 weights were updated in place; rounding loses nothing there, so nothing is counted.
    if constexpr (!std::is_same_v<W, float>) {
      W* compensation = how.compensation ? static_cast<W*>(how.compensation) + begin : nullptr;
      store_16bit<W>(w_new, w_old, static_cast<W*>(weights) + begin, compensation,
                     how.rounding.starting_at(std::uint64_t(begin)), len, stats);
    }
  });
}

}  // namespace mixprec
