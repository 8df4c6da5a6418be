#pragma once
// The one place where an optimizer update reaches the weights. Each update rule
// (optimizer.cpp) computes, in fp32, an update u for a block of values from the gradient
// and its state; apply_update() turns it into the new weight
//     w_new = mul_add(scale, u, w * weight_factor)
// rounds w_new into the stored format, rewrites the mixed modes' 16-bit working copy from
// it, and counts the lost updates (NUMERICS.md "Statistics"), in one pass over the block.
//
// The form reproduces the rounding of each rule as PyTorch orders it:
//   SGD    u = d (the momentum/Nesterov direction), scale = -lr, weight_factor = 1:
//          w - lr*d in one rounding where the build has FMA (param.add_(d, alpha=-lr)).
//   Adam   u = lr * mhat / (sqrt(vhat) + eps), scale = -1, weight_factor = 1:
//          w - u, one rounding (-1 * u and w * 1 are exact).
//   AdamW  as Adam with weight_factor = 1 - lr * weight_decay: the decayed weight is rounded
//          on its own first (param.mul_ before addcdiv_), then u is subtracted.
// tests/optim/optimizer_reference_test.cpp pins these roundings against a scalar loop.
//
// The remedies of NUMERICS.md "Beyond nearest rounding" belong here, not in the rules:
// Kahan-compensated updates (one more state buffer, c, in the weights' format) and
// stochastic rounding of w_new into 16-bit weights.
#include <cstdint>

namespace mixprec {

// Values per block: the unit of OpenMP work and of the fp32 scratch copies of 16-bit
// storage (a few KiB of stack per thread, so the copies stay in L1).
inline constexpr std::int64_t kUpdateBlock = 512;

// What rounding did to the weight updates. Only counted when weights are 16-bit (the -true
// modes); with fp32 weights nothing is counted. Counters are added to, so one UpdateStats
// can collect an epoch.
struct UpdateStats {
  std::uint64_t nonzero_updates = 0;  // elements whose fp32 new weight != fp32 old weight
  std::uint64_t lost_updates = 0;     // ...of which the stored 16-bit weight did not change
};

// How a rule's update u becomes the new weight (see the top of this file).
struct UpdateForm {
  float scale = -1.0f;
  float weight_factor = 1.0f;  // exactly 1 unless the rule decays the weight first
};

// Applies one block of len <= kUpdateBlock values:
//   u:            the rule's update; overwritten (scratch)
//   weights:      the stored block (W: float, f16 or bf16), rewritten with w_new rounded (RNE)
//   old_w:        the block's weights widened to fp32 (for float W, the storage itself)
//   working_copy: null, or the mixed modes' 16-bit copy of the block (fp32 W only),
//                 rewritten with the rounding of each new fp32 weight
// Returns the counts for this block (zero for float W). Each value is computed on its
// own, so the result does not depend on how the caller splits the work into blocks.
template <class W, class C>
UpdateStats apply_update(const UpdateForm& form, float* u, W* weights, const float* old_w,
                         C* working_copy, std::int64_t len);

}  // namespace mixprec
