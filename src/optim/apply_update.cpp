#include "optim/apply_update.hpp"

// GCC 12 reports the AVX-512 intrinsics' own _mm512_undefined_*() placeholders as
// "maybe uninitialized" once they are inlined here (GCC PR 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <type_traits>

#include "kernels/simd_convert.hpp"  // header-only: mixprec_optim does not link kernels
#include "optim/mul_add.hpp"

namespace mixprec {

template <class W, class C>
UpdateStats apply_update(const UpdateForm& form, float* u, W* weights, const float* old_w,
                         C* working_copy, std::int64_t len) {
  const float scale = form.scale, factor = form.weight_factor;
  const auto n = static_cast<std::size_t>(len);
  UpdateStats stats;
  if constexpr (std::is_same_v<W, float>) {
    // fp32 weights are updated in place; rounding loses nothing there, so nothing is
    // counted. `w * factor` is a product of its own (an argument of mul_add, never fused).
    (void)old_w;  // the storage itself
    float* __restrict w = weights;
    const float* __restrict update = u;
    for (std::int64_t i = 0; i < len; ++i) w[i] = mul_add(scale, update[i], w[i] * factor);
    if (working_copy != nullptr) from_float_array(w, working_copy, n);
  } else {
    // 16-bit weights: the new fp32 weights replace u, are rounded into the storage once,
    // and the stored values are read back to see which moves rounding undid.
    float* __restrict w_new = u;
    const float* __restrict old = old_w;
    for (std::int64_t i = 0; i < len; ++i) w_new[i] = mul_add(scale, w_new[i], old[i] * factor);
    from_float_array(w_new, weights, n);
    if (working_copy != nullptr) from_float_array(w_new, working_copy, n);
    alignas(64) float stored[kUpdateBlock];
    to_float_array(weights, stored, n);
    // A moved value is lost when the stored weight equals the old one. NaN != NaN counts
    // as moved, never as lost.
    std::uint32_t moved_count = 0, lost_count = 0;
    for (std::int64_t i = 0; i < len; ++i) {
      const bool moved = w_new[i] != old[i];
      moved_count += moved;
      lost_count += moved & (stored[i] == old[i]);
    }
    stats.nonzero_updates = moved_count;
    stats.lost_updates = lost_count;
  }
  return stats;
}

// Weights in each format; the working copy in the gradients' format (null where there is
// none, so every gradient format appears).
#define MIXPREC_APPLY_UPDATE(W, C)                                                         \
  template UpdateStats apply_update<W, C>(const UpdateForm&, float*, W*, const float*, C*, \
                                          std::int64_t);
#define MIXPREC_APPLY_UPDATE_ALL_COPIES(W) \
  MIXPREC_APPLY_UPDATE(W, float)           \
  MIXPREC_APPLY_UPDATE(W, f16)             \
  MIXPREC_APPLY_UPDATE(W, bf16)
MIXPREC_APPLY_UPDATE_ALL_COPIES(float)
MIXPREC_APPLY_UPDATE_ALL_COPIES(f16)
MIXPREC_APPLY_UPDATE_ALL_COPIES(bf16)
#undef MIXPREC_APPLY_UPDATE_ALL_COPIES
#undef MIXPREC_APPLY_UPDATE

}  // namespace mixprec
