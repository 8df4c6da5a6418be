#include "optim/apply_update.hpp"

#include "common/intrinsics_warnings.hpp"

#include <type_traits>

#include "precision/round_loops.hpp"

namespace mixprec {

void store_updated_weights(const float* w_new, const float* w_old, Format weight_format,
                           void* weights, Format copy_format, void* working_copy,
                           std::int64_t begin, std::int64_t len, UpdateStats& stats) {
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
      W* stored_block = static_cast<W*>(weights) + begin;
      from_float_array(w_new, stored_block, n);
      alignas(64) float stored[kUpdateBlock];
      to_float_array(stored_block, stored, n);
      // NaN != NaN counts as moved, never as lost.
      std::uint32_t moved_count = 0, lost_count = 0;
      for (std::int64_t i = 0; i < len; ++i) {
        const bool moved = w_new[i] != w_old[i];
        moved_count += moved;
        lost_count += moved & (stored[i] == w_old[i]);
      }
      stats.nonzero_updates += moved_count;
      stats.lost_updates += lost_count;
    }
  });
}

}  // namespace mixprec
