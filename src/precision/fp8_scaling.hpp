#pragma once
// Per-tensor FP8 scaling recipes (NUMERICS.md "8-bit formats", fp8.recipe "delayed" and
// "current"): the factor s a tensor x is multiplied by before it is cast to E4M3 or E5M2,
// so that its largest magnitude lands on the format's largest finite value. The product of
// two cast operands is multiplied by 1 / (s_a s_b) afterwards. Pure functions of the state in
// TensorScaling (tensor_scaling.hpp), which the layers own and the checkpoints save.
// max_finite is the format's largest finite value (448 for E4M3, 57344 for E5M2: the
// traits table's row); amax is that of the unscaled tensor (amax.hpp).
//
// Both recipes follow Transformer Engine (TE) where NUMERICS.md is silent, as read in
// NVIDIA/TransformerEngine:
//   transformer_engine/common/recipe/delayed_scaling.cu (amax_and_scale_update and its
//     bulk form kernel_bulk, which fp8.py's reduce_and_update_fp8_tensors calls by default),
//   transformer_engine/pytorch/fp8.py (_default_sf_compute, the unfused reference),
//   transformer_engine/common/recipe/recipe_common.cuh (compute_scale_from_amax, current
//     scaling), tests/pytorch/test_recipe.py (the zero / tiny / inf / NaN amax cases).
#include <cstddef>

#include "precision/tensor_scaling.hpp"

namespace mixprec {

// s = (max_finite * 2^-margin) / amax (TE's delayed_scaling.cu; equal to its documented
// (max_finite / amax) / 2^margin except where that overflows), for a finite amax > 0. Where
// the quotient overflows fp32 (amax below max_finite * 2^-margin / FLT_MAX) s is FLT_MAX, as
// in TE. A zero, infinite or NaN amax leaves nothing to scale by: the result is `fallback`.
float scale_from_amax(float amax, float max_finite, int margin, float fallback);

// ---- delayed scaling (TE's DelayedScaling, amax_compute_algo "max") ---------------------
// The scale used at step t comes from the amaxes recorded at steps before t. Per step t and
// per (layer, tensor role) slot `ts` the trainer does, in this order:
//   1. cast x_t with s_t = ts.scale (1 before the first update);
//   2. delayed_scale_record(ts, amax(x_t))   -- the amax of this step's unscaled tensor (the
//      cast may compute it in the same pass);
//   3. after the step's backward pass, once every slot has recorded its amax:
//      delayed_scale_update(ts, max_finite, margin), which sets s_{t+1} from the window.
// So s_{t+1} = scale_from_amax(max(last L recorded amaxes), ..., s_t): a tensor that grows
// between steps saturates at step t+1's cast (counted as saturated by the cast, not hidden)
// and is covered from step t+2 on. TE records during step t and updates after it, the same.

// Sets up a slot: scale 1, a history of `history_length` (fp8.amax_history, >= 1) zeros, the
// next write at slot 0. Zeros are empty slots: amaxes are >= 0, so they never raise the max.
void delayed_scale_init(TensorScaling& ts, std::size_t history_length);

// Writes amax into the ring buffer (slot ts.amax_next, which then advances modulo the
// history length; the oldest amax drops out of the window). A zero amax (an all-zero tensor)
// is not recorded, as in TE's bulk update (kernel_bulk rolls the history only when the new
// amax is non-zero), so the window keeps its amaxes and the update keeps the scale.
// Infinite and NaN amaxes are recorded, as in TE, and keep the scale while in the window.
void delayed_scale_record(TensorScaling& ts, float amax);

// max over the history window; NaN if any entry is NaN (as fp8.py's torch.max; TE's CUDA
// kernel skips NaN with fmaxf: we keep it visible), +inf if any is +inf; 0 when nothing has
// been recorded.
float delayed_scale_window_amax(const TensorScaling& ts);

// ts.scale = scale_from_amax(window amax, max_finite, margin, ts.scale): a window whose amax
// is zero (nothing recorded yet) or not finite (an inf or NaN still in it) keeps the previous
// scale (TE: "No action is possible, set scale to the previous scale (or 1)").
void delayed_scale_update(TensorScaling& ts, float max_finite, int margin);

// ---- current scaling (TE's Float8CurrentScaling) -----------------------------------------
// The scale for this tensor from its own amax, computed just before its cast, with no state:
// scale_from_amax(amax, max_finite, margin, 1). A zero, infinite or NaN amax gives 1, as
// TE's compute_scale_from_amax (recipe_common.cuh) returns for them. TE's current scaling has
// no margin (margin 0 reproduces it); fp8.margin applies here as in the delayed recipe. The
// trainer may store the result in ts.scale for the statistics.
float current_scale(float amax, float max_finite, int margin);

}  // namespace mixprec
